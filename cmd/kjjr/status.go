package main

func cmdStatus(e *env, args []string) int { return notYet(e, "status") }

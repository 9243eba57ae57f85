package main

func cmdCheck(e *env, args []string) int { return notYet(e, "check") }

package main

func cmdInit(e *env, args []string) int { return notYet(e, "init") }

package main

func cmdDemo(e *env, args []string) int { return notYet(e, "demo") }

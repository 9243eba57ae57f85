package main

func cmdAssess(e *env, args []string) int { return notYet(e, "assess") }

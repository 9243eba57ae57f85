package main

func cmdRemind(e *env, args []string) int { return notYet(e, "remind") }

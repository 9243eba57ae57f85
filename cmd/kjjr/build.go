package main

func cmdBuild(e *env, args []string) int { return notYet(e, "build") }

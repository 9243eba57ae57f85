package main

func cmdServe(e *env, args []string) int { return notYet(e, "serve") }

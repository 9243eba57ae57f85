package main

func cmdTemplate(e *env, args []string) int { return notYet(e, "template") }

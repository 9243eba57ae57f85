package main

func cmdWorkdays(e *env, args []string) int { return notYet(e, "workdays") }

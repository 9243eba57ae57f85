package main

func cmdReview(e *env, args []string) int { return notYet(e, "review") }

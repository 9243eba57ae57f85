package main

func cmdInbox(e *env, args []string) int { return notYet(e, "inbox") }

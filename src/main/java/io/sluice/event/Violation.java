package io.sluice.event;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What is wrong with one event of a request: which event, where in it, and why. */
@RegisterForReflection
public record Violation(int index, String pointer, String detail) {}

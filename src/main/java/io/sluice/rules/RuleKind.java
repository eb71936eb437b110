package io.sluice.rules;

import java.util.Locale;

/** The three kinds of early warning. */
public enum RuleKind {
    /** A number in an event's data crosses a bound: {@code /temperature > 80}. */
    THRESHOLD,
    /** More than N matching events per subject within a sliding window. */
    RATE,
    /** A subject that was heard from goes silent for longer than a duration. */
    ABSENCE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code text}, or null. */
    static RuleKind of(String text) {
        for (RuleKind kind : values()) {
            if (kind.wireName().equals(text)) {
                return kind;
            }
        }
        return null;
    }
}

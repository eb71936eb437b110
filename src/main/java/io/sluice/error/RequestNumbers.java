package io.sluice.error;

/**
 * Numbers from query parameters and headers, read as text so that a malformed one is a 400
 * problem that names it, not the 404 JAX-RS gives a parameter it cannot convert.
 */
public final class RequestNumbers {

    private RequestNumbers() {}

    /** {@code text} as a non-negative long (an id, a position). */
    public static long nonNegative(String text, String name) {
        try {
            long value = Long.parseLong(text.strip());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // the same answer as a negative number
        }
        throw ProblemException.of(ProblemType.INVALID_REQUEST, name + " must be a non-negative integer.");
    }

    /** {@code text} as an int from {@code min} to {@code max} (a page size). */
    public static int between(String text, String name, int min, int max) {
        try {
            long value = Long.parseLong(text.strip());
            if (value >= min && value <= max) {
                return (int) value;
            }
        } catch (NumberFormatException e) {
            // the same answer as a number out of range
        }
        throw ProblemException.of(
                ProblemType.INVALID_REQUEST, name + " must be an integer from " + min + " to " + max + ".");
    }
}

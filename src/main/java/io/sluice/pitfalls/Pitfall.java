package io.sluice.pitfalls;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One check of the pitfall guard: what was looked at, how it came out, and why that matters. */
public record Pitfall(String check, Status status, String found, String why) {

    public enum Status {
        PASS,
        WARN,
        FAIL;

        String label() {
            return name().toLowerCase();
        }
    }

    static Pitfall pass(String check, String found, String why) {
        return new Pitfall(check, Status.PASS, found, why);
    }

    static Pitfall warn(String check, String found, String why) {
        return new Pitfall(check, Status.WARN, found, why);
    }

    static Pitfall fail(String check, String found, String why) {
        return new Pitfall(check, Status.FAIL, found, why);
    }

    ObjectNode toJson() {
        return JsonNodeFactory.instance
                .objectNode()
                .put("check", check)
                .put("status", status.label())
                .put("found", found)
                .put("why", why);
    }
}

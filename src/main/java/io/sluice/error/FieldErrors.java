package io.sluice.error;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is wrong with a request, member by member, collected so that one answer names every
 * mistake: a 400 problem whose {@code errors} list holds a {@code pointer} and a {@code detail}
 * for each.
 */
public final class FieldErrors {

    private final List<Map<String, String>> errors = new ArrayList<>();

    public void add(String pointer, String detail) {
        errors.add(Map.of("pointer", pointer, "detail", detail));
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    /** One error for each member of {@code object} not among {@code members}. */
    public void unknownMembers(JsonNode object, Set<String> members, String what) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String member = names.next();
            if (!members.contains(member)) {
                add("/" + member, "is not a member of a " + what);
            }
        }
    }

    /** Throws the problem that names every error, if there is one: "The {what} is not valid: see errors." */
    public void throwIfAny(ProblemType type, String what) {
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.of(type, "The " + what + " is not valid: see errors.")
                    .with("errors", List.copyOf(errors)));
        }
    }
}

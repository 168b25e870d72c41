package dev.causalcxr.core.spec;

import java.util.List;

/**
 * A config record's values are not valid: every problem at once, each {@code "component: what is wrong"} with the
 * record's component name (a {@code component.key} or {@code component[i]} suffix points inside a map or list), the
 * form {@link RecordConfigReader} turns into a spec problem at the block's snake_case field path. Thrown by a record's
 * constructor; outside a spec it is an ordinary {@link IllegalArgumentException} (a bug or a failure, not a usage
 * error).
 */
public class InvalidConfigException extends IllegalArgumentException {
    private final List<String> problems;

    /** The message names the record's components as the spec does (snake_case). */
    public InvalidConfigException(Class<? extends Record> type, List<String> problems) {
        super("invalid " + type.getSimpleName() + ": "
                + String.join(
                        "; ",
                        problems.stream()
                                .map(p -> RecordConfigReader.inSpecTerms(type, p))
                                .toList()));
        this.problems = List.copyOf(problems);
    }

    /** Throws when there is any problem. */
    public static void check(Class<? extends Record> type, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(type, problems);
        }
    }

    public List<String> problems() {
        return problems;
    }
}

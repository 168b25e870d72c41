package dev.causalcxr.core.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A spec with problems; carries every problem found, not just the first. */
public class SpecValidationException extends ValidationException {
    private final List<SpecProblem> problems;

    public SpecValidationException(List<SpecProblem> problems) {
        super(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in the spec:\n"
                + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<SpecProblem> problems() {
        return problems;
    }
}

package dev.causalcxr.core.dataset;

import java.util.List;

/** An import that imported nothing: strict mode met bad rows, or the input as a whole is unusable. */
public class DatasetImportException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<RowProblem> problems;

    public DatasetImportException(String message, List<RowProblem> problems) {
        super(message);
        this.problems = List.copyOf(problems);
    }

    public List<RowProblem> problems() {
        return problems;
    }
}

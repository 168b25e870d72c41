package dev.causalcxr.activities.retrain;

/**
 * What starts a retrain: references and the spec's text, nothing else.
 *
 * @param retrainId        the retrain (also the workflow id); its runs are named after it
 * @param model            the champion, {@code NAME@ALIAS} (or {@code NAME@VERSION})
 * @param dataset          the new data, {@code NAME[@VERSION]} in the dataset catalogue
 * @param retrainSpecYaml  the document holding the {@code retrain:} block (null: the defaults)
 * @param actor            who started it, for the history ({@code user NAME})
 */
public record RetrainRequest(String retrainId, String model, String dataset, String retrainSpecYaml, String actor) {}

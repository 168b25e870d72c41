/**
 * The counterfactual service behind {@code causalcxr serve}: an HTTP API and a web page over
 * registered models.
 *
 * <p>The parts, each usable and tested on its own: {@link dev.causalcxr.cli.serve.Multipart} (a strict
 * multipart/form-data parser), {@link dev.causalcxr.cli.serve.RequestReader} (validation of a request
 * into a {@link dev.causalcxr.cli.serve.CounterfactualJob}), {@link dev.causalcxr.cli.serve.BatchQueue}
 * (the bounded queue whose worker runs compatible requests as one batch on the model, with deadlines),
 * {@link dev.causalcxr.cli.serve.ServiceMetrics} (Prometheus text), {@link dev.causalcxr.cli.serve.ModelPool}
 * (registered models loaded once, reloaded when an alias moves), {@link dev.causalcxr.cli.serve.CounterfactualFiles}
 * (the files of a result, shared with the {@code counterfactual} command so that both give the same
 * bytes) and {@link dev.causalcxr.cli.serve.CounterfactualServer} (routes, access token, logging).
 *
 * <p>Privacy: nothing here logs report or request text, image bytes, or patient or study ids. Log
 * lines name the route (a template, never the path with its ids), the status, the duration and the
 * number of images; client errors are answered with their reason and not logged with it.
 */
package dev.causalcxr.cli.serve;

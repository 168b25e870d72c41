package dev.causalcxr.core.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The {@code tracking} block: what the pipeline may send to the tracking server (MLflow).
 *
 * @param images {@code site-only} (default): pictures of real (non-phantom) studies — grids, contact sheets,
 *               counterfactuals — go to MLflow only when it is the site's own server (the embedded one, or one
 *               declared with {@code CAUSALCXR_MLFLOW_SITE_OWNED=true}); elsewhere they stay in the site's
 *               object store and the run is tagged {@code causalcxr.images_withheld}. {@code allowed}: they go
 *               to whatever server is configured. Pictures of phantom data are not of people and always go.
 */
public record TrackingConfig(String images) {
    public static final String SITE_ONLY = "site-only";
    public static final String ALLOWED = "allowed";

    public static TrackingConfig defaults() {
        return new TrackingConfig(SITE_ONLY);
    }

    @JsonIgnore
    public boolean imagesAllowed() {
        return ALLOWED.equals(images);
    }

    static TrackingConfig read(ConfigNode n) {
        String images = n.string("images", SITE_ONLY, SITE_ONLY, ALLOWED);
        n.rejectUnknownKeys();
        return new TrackingConfig(images == null ? SITE_ONLY : images);
    }
}

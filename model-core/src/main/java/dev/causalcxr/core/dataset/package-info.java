/**
 * Data sets: importers for MIMIC-CXR-JPG folders, CheXpert CSVs and plain manifests
 * ({@link dev.causalcxr.core.dataset.DatasetImporter}), the versioned, patient-disjoint
 * {@link dev.causalcxr.core.dataset.DatasetManifest}, and the phantom data set writer with its
 * ground-truth sidecar ({@link dev.causalcxr.core.dataset.PhantomDatasetWriter},
 * {@link dev.causalcxr.core.dataset.PhantomGroundTruth}).
 */
package dev.causalcxr.core.dataset;

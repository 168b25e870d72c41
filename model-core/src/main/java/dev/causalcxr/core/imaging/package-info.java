/**
 * Single-channel radiograph pixels: {@link dev.causalcxr.core.imaging.GrayImage} (16-bit),
 * strict PNG/JPEG decoding and lossless 16-bit PNG encoding ({@link dev.causalcxr.core.imaging.ImageCodec}),
 * anti-aliased resizing ({@link dev.causalcxr.core.imaging.Resampler}) and labelled image grids
 * ({@link dev.causalcxr.core.imaging.ContactSheet}) for phantoms, reconstructions, swaps and counterfactuals.
 */
package dev.causalcxr.core.imaging;

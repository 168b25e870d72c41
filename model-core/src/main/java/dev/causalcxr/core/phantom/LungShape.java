package dev.causalcxr.core.phantom;

/**
 * One lung field in normalized image coordinates (0..1, origin top-left; {@code s} is the lateral
 * distance from the midline). Right and left lungs of a patient have different shapes.
 *
 * @param apex               image row of the lung apex
 * @param width              lateral extent of the lung from the midline
 * @param domeTop            row of the top of the hemidiaphragm dome
 * @param domePeak           where across the lung (fraction of width) the dome is highest
 * @param costophrenicDepth  how far below the dome top the lateral costophrenic angle lies
 */
public record LungShape(double apex, double width, double domeTop, double domePeak, double costophrenicDepth) {}

package io.aiobridge.internal;

/**
 * The runtime's tuning knobs read from system properties. A value that is set but unusable fails
 * loudly, naming the property and what it accepts, rather than silently running with the default
 * (as {@link Integer#getInteger} would) or with a value that cannot work (a batch of 0 items).
 */
public final class Settings {
    private Settings() {}

    /**
     * The integer system property {@code name}, or {@code unset} when it is absent or blank.
     *
     * @param name the property
     * @param unset the value when it is not set
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @return the value
     * @throws IllegalArgumentException if it is set to something other than an integer in
     *     {@code [min, max]}
     */
    public static int intProperty(String name, int unset, int min, int max) {
        String text = System.getProperty(name);
        if (text == null || text.isBlank()) {
            return unset;
        }
        String fix = ": set -D" + name + " to an integer from " + min + " to " + max
                + ", or leave it unset for " + unset;
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "system property " + name + " is not an integer: '" + text + "'" + fix, e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "system property " + name + " is out of range: " + value + fix);
        }
        return value;
    }
}

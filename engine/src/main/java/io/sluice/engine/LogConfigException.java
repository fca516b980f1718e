package io.sluice.engine;

/**
 * A log configuration value that cannot be used. The message names the key, the value and what is expected.
 */
public final class LogConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * Describe a bad value.
     *
     * @param key      the configuration key.
     * @param value    the value given.
     * @param expected what would be accepted.
     */
    public LogConfigException(final String key, final Object value, final String expected)
    {
        super("invalid value '" + value + "' for " + key + ": " + expected);
    }
}

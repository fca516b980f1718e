package io.sluice.connect;

/**
 * A connector or worker configuration that cannot be used; the message names the key.
 */
public final class ConfigException extends RuntimeException
{
    private final String key;

    /**
     * @param key     the key at fault.
     * @param value   its value, or null if it is missing.
     * @param problem what is wrong with it.
     */
    public ConfigException(final String key, final Object value, final String problem)
    {
        super(null == value ? "missing required configuration '" + key + "': " + problem :
            "invalid value '" + value + "' for configuration '" + key + "': " + problem);
        this.key = key;
    }

    /** @return the key at fault. */
    public String key()
    {
        return key;
    }
}

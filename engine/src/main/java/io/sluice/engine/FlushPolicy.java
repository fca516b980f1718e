package io.sluice.engine;

/**
 * When appended bytes are forced from the page cache to the device.
 * <p>
 * As in Kafka, replication is the durability story and fsync is opt-in. Appended bytes live in a shared file
 * mapping: they survive the death of the process in any case, and are lost on a power failure or kernel crash
 * only if not yet written back by the kernel.
 */
public enum FlushPolicy
{
    /** Never force; the kernel writes pages back in its own time. A clean close still forces everything. */
    NONE,
    /** The maintenance thread forces what was appended every {@code flush.interval.ms}. */
    INTERVAL,
    /** The writer forces every batch before {@code append} returns. Slow; honest. */
    ALWAYS;

    static FlushPolicy parse(final String value)
    {
        for (final FlushPolicy policy : values())
        {
            if (policy.name().equalsIgnoreCase(value.trim()))
            {
                return policy;
            }
        }
        throw new LogConfigException("flush.policy", value, "expected none, interval or always");
    }
}

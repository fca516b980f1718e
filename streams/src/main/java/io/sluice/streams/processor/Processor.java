package io.sluice.streams.processor;

/**
 * One step of a topology, instantiated once per task (per input partition): it receives each record its parents
 * forward and forwards what it makes of it to its children through the {@link ProcessorContext}. Called by the
 * task's thread only.
 *
 * @param <K> key type received.
 * @param <V> value type received.
 */
public interface Processor<K, V>
{
    /**
     * Called once before the first record.
     *
     * @param context of this processor in its task: forward, state stores, the current record's origin.
     */
    default void init(final ProcessorContext context)
    {
    }

    /**
     * @param record to process.
     */
    void process(Record<K, V> record);

    /**
     * Called once when the task closes.
     */
    default void close()
    {
    }
}

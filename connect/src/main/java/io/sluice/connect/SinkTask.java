package io.sluice.connect;

import java.util.Collection;

/**
 * Writes records to an external system. The runtime gives it records in batches ({@link #put}), then asks it to
 * make what it was given durable ({@link #flush}); only then are the records' offsets committed. A
 * {@link RetriableException} from either makes the runtime try the same batch again after a backoff; any other
 * exception applies the connector's error policy.
 */
public abstract class SinkTask implements Task
{
    /**
     * @param records the next records, in offset order per partition.
     */
    public abstract void put(Collection<SinkRecord> records);

    /**
     * Make every record given so far durable in the external system.
     */
    public abstract void flush();
}

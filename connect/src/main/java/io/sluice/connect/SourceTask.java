package io.sluice.connect;

import java.util.List;

/**
 * Reads records from an external system. The runtime calls {@link #initialize} then {@link #start}, then
 * {@link #poll} in a loop on the task's own thread, sends what it returns, and stores each source partition's
 * offset once the records before it are acknowledged; {@link #stop} last.
 */
public abstract class SourceTask implements Task
{
    /** The runtime's context, set before {@link #start}. */
    protected SourceTaskContext context;

    /**
     * @param context offered by the runtime.
     */
    public void initialize(final SourceTaskContext context)
    {
        this.context = context;
    }

    /**
     * Records read since the last call; may wait a little (a few hundred ms at most) for some, and return an empty
     * list or null if there are none.
     *
     * @return the records, in the order they were read.
     * @throws InterruptedException if the thread is interrupted while it waits.
     */
    public abstract List<SourceRecord> poll() throws InterruptedException;
}

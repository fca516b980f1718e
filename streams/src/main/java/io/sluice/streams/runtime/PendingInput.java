package io.sluice.streams.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An input record processed whose sends (sink, repartition and changelog records) the broker has not all
 * acknowledged yet. Made on the stream thread; {@link #run()} is called on the client's I/O thread, once per
 * acknowledged send, and tells the {@link CommitRound} the send belongs to; the last leaves the count of records in
 * flight and tells the stream thread's intake, which may let more records in. The input record itself is
 * acknowledged (its offset may be committed) only when its round's checkpoint is written. Lock-free. Not part of the
 * API.
 */
final class PendingInput implements Runnable
{
    private final AtomicInteger remaining = new AtomicInteger();
    private final Runnable onDurable;
    private final CommitRound round;

    /**
     * @param onDurable called once every send is acknowledged (the input record leaves the count in flight); null
     *                  for what a task sends from its processors' {@code init} or its restoration.
     * @param round     the sends belong to.
     */
    PendingInput(final Runnable onDurable, final CommitRound round)
    {
        this.onDurable = onDurable;
        this.round = round;
    }

    /**
     * @param sends how many records the input caused; set before the first is handed to the producer.
     */
    void expect(final int sends)
    {
        remaining.set(sends);
        round.sending(sends);
    }

    /**
     * One send acknowledged.
     */
    public void run()
    {
        round.sent();
        if (remaining.decrementAndGet() == 0)
        {
            if (null != onDurable)
            {
                onDurable.run();
            }
        }
    }
}

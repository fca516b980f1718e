package io.sluice.streams.runtime;

import io.sluice.client.ConsumerRecord;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An input record processed whose sends (sink, repartition and changelog records) the broker has not all
 * acknowledged yet. Made on the stream thread; {@link #onSent()} is called on the client's I/O thread, once per
 * acknowledged send, and the last acknowledges the input record (so its offset may be committed) and completes
 * {@link #durable()}. Lock-free. Not part of the API.
 */
final class PendingInput
{
    private final ConsumerRecord<?, ?> input;
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger inFlight;
    private final Sinks.One<Void> durable = Sinks.one();

    /**
     * @param input    the record processed; null for what a task sends from its processors' {@code init}.
     * @param inFlight the stream thread's count of input records not yet durable, which this leaves when done.
     */
    PendingInput(final ConsumerRecord<?, ?> input, final AtomicInteger inFlight)
    {
        this.input = input;
        this.inFlight = inFlight;
    }

    /**
     * @param sends how many records the input caused; set before the first is handed to the producer.
     */
    void expect(final int sends)
    {
        remaining.set(sends);
    }

    void onSent()
    {
        if (remaining.decrementAndGet() == 0)
        {
            if (null != inFlight)
            {
                inFlight.decrementAndGet(); // before the completion lets the next record in
            }
            if (null != input)
            {
                input.acknowledge();
            }
            durable.tryEmitEmpty();
        }
    }

    /**
     * @return completes when every send is acknowledged by the broker.
     */
    Mono<Void> durable()
    {
        return durable.asMono();
    }
}

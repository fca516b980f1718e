package io.sluice.streams.runtime;

import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.SluiceProducer;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every record the application's tasks write, through one send of the producer: one Flux for the application's
 * lifetime, so records reach each partition in the order the stream thread wrote them (separate sends could
 * interleave their batches, and a changelog's order is its store's history). Each result runs the callback the record
 * carries (a {@link PendingInput}, or a checkpoint's). {@link #send} runs on the stream thread only; results arrive on the
 * client's I/O thread.
 * <p>
 * {@link #pause()} holds records back on the stream thread, as a broker that stopped answering would: for tests of
 * backpressure.
 */
final class RecordSender implements AutoCloseable
{
    private final Sinks.Many<ProducerRecord<byte[], byte[], Runnable>> records =
        Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable results;
    private final ArrayDeque<ProducerRecord<byte[], byte[], Runnable>> held = new ArrayDeque<>();
    private volatile boolean paused;

    /**
     * @param producer acks=all, idempotent.
     * @param onError  told when a send fails: the producer stops on the first failure.
     */
    RecordSender(final SluiceProducer<byte[], byte[]> producer, final Consumer<Throwable> onError)
    {
        results = producer.send(records.asFlux()).subscribe(RecordSender::onResult, onError);
    }

    private static void onResult(final SendResult<Runnable> result)
    {
        result.correlationMetadata().run();
    }

    /**
     * @param batch what one input record caused; on the stream thread.
     * @throws IllegalStateException if the send has ended (it failed, or the sender is closed).
     */
    void send(final List<ProducerRecord<byte[], byte[], Runnable>> batch)
    {
        held.addAll(batch);
        if (!paused)
        {
            flush();
        }
    }

    void pause()
    {
        paused = true;
    }

    /**
     * Send what was held; on the stream thread.
     */
    void resume()
    {
        paused = false;
        flush();
    }

    private void flush()
    {
        ProducerRecord<byte[], byte[], Runnable> next;
        while (null != (next = held.pollFirst()))
        {
            emit(next);
        }
    }

    private void emit(final ProducerRecord<byte[], byte[], Runnable> record)
    {
        final Sinks.EmitResult result = records.tryEmitNext(record);
        if (result.isFailure())
        {
            throw new IllegalStateException("cannot send to " + record.topic() + ": the send has ended (" +
                result + ")");
        }
    }

    /**
     * Complete the send: what was handed over is still sent; nothing more is accepted.
     */
    public void close()
    {
        records.tryEmitComplete();
    }

    /**
     * Stop at once, abandoning what is in flight.
     */
    void abort()
    {
        results.dispose();
    }
}

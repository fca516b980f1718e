package io.sluice.broker;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.FetchedRecords;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives a {@link ClientConnection} the way tests need: produce and wait, fetch and collect.
 */
final class TestClient implements ClientResponseListener
{
    record Ack(long correlationId, int partition, ErrorCode errorCode, long baseOffset, String message)
    {
    }

    record Received(long sessionId, int partition, long offset, String key, String value)
    {
    }

    record Status(long correlationId, long sessionId, ErrorCode errorCode, long nextOffset, String message)
    {
    }

    record Error(long correlationId, ErrorCode errorCode, int templateId, String message)
    {
    }

    final ClientConnection connection;
    final List<Ack> acks = new ArrayList<>();
    final List<Received> received = new ArrayList<>();
    final List<Status> statuses = new ArrayList<>();
    final List<Error> errors = new ArrayList<>();
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(new byte[256 * 1024]);
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final FetchedRecords fetched = new FetchedRecords();

    TestClient(final ClientConnection connection)
    {
        this.connection = connection;
    }

    int batch(final String... values)
    {
        builder.wrap(batchBuffer, 0, batchBuffer.capacity());
        for (final String value : values)
        {
            final String[] parts = value.split("=", 2);
            final byte[] key = parts.length == 2 ? parts[0].getBytes(StandardCharsets.UTF_8) : null;
            final byte[] bytes = parts[parts.length - 1].getBytes(StandardCharsets.UTF_8);
            if (!builder.append(System.currentTimeMillis(), key, bytes))
            {
                fail("batch buffer too small");
            }
        }
        return builder.build();
    }

    UnsafeBuffer batchBuffer()
    {
        return batchBuffer;
    }

    long produce(final int topicId, final int partition, final Acks acks, final DirectBuffer buffer, final int length)
    {
        final long correlationId = connection.nextCorrelationId();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        long result;
        while ((result = connection.offerProduce(correlationId, topicId, partition, acks, buffer, 0, length)) < 0)
        {
            if (result == ClientConnection.MESSAGE_TOO_LARGE || System.nanoTime() > deadline)
            {
                fail("offer failed: " + result);
            }
            connection.poll(this, 16);
        }
        return correlationId;
    }

    Ack produceAndAwait(final int topicId, final int partition, final String... values)
    {
        final int length = batch(values);
        final long correlationId = produce(topicId, partition, Acks.LEADER, batchBuffer, length);
        return awaitAck(correlationId);
    }

    Ack awaitAck(final long correlationId)
    {
        pollUntil(() -> acks.stream().anyMatch((a) -> a.correlationId() == correlationId));
        return acks.stream().filter((a) -> a.correlationId() == correlationId).findFirst().orElseThrow();
    }

    void fetch(final long sessionId, final int topicId, final int partition, final long offset,
        final CreditMode mode, final long credit)
    {
        final long correlationId = connection.nextCorrelationId();
        offer(() -> connection.offerFetch(correlationId, sessionId, topicId, partition, offset, mode, credit));
    }

    void credit(final long sessionId, final long credit)
    {
        offer(() -> connection.offerCredit(sessionId, credit));
    }

    void offer(final java.util.function.LongSupplier offer)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (offer.getAsLong() < 0)
        {
            if (System.nanoTime() > deadline)
            {
                fail("offer kept failing");
            }
            connection.poll(this, 16);
        }
    }

    void pollUntil(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("condition not met in 20 s; received " + received.size() + ", acks " + acks.size() +
                    ", statuses " + statuses + ", errors " + errors);
            }
            if (0 == connection.poll(this, 64))
            {
                Thread.onSpinWait();
            }
        }
    }

    /** Poll for a while, for tests that check nothing more arrives. */
    void pollFor(final long millis)
    {
        final long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end)
        {
            if (0 == connection.poll(this, 64))
            {
                Thread.yield();
            }
        }
    }

    public void onProduceResponse(final long correlationId, final int topicId, final int partition,
        final ErrorCode errorCode, final long baseOffset, final long logStartOffset, final String errorMessage)
    {
        acks.add(new Ack(correlationId, partition, errorCode, baseOffset, errorMessage));
    }

    public void onFetchStatus(final long correlationId, final long sessionId, final ErrorCode errorCode,
        final long nextOffset, final long logStartOffset, final long highWatermark, final String errorMessage)
    {
        statuses.add(new Status(correlationId, sessionId, errorCode, nextOffset, errorMessage));
    }

    public void onFetchData(final long sessionId, final int topicId, final int partition, final long fromOffset,
        final long toOffset, final long highWatermark, final DirectBuffer buffer, final int offset, final int length)
    {
        fetched.forEach(buffer, offset, length, fromOffset, toOffset, (record) -> received.add(new Received(
            sessionId, partition, record.offset(),
            record.isKeyNull() ? null : string(record.key()), string(record.value()))));
    }

    public void onError(final long correlationId, final ErrorCode errorCode, final int requestTemplateId,
        final String errorMessage)
    {
        errors.add(new Error(correlationId, errorCode, requestTemplateId, errorMessage));
    }

    static String string(final DirectBuffer buffer)
    {
        return buffer.getStringWithoutLengthUtf8(0, buffer.capacity());
    }
}

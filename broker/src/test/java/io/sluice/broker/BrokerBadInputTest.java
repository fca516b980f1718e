package io.sluice.broker;

import io.aeron.Counter;
import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.AdminResponseDecoder;
import io.sluice.codecs.client.CreateTopicRequestEncoder;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.DeleteTopicRequestEncoder;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.ErrorResponseDecoder;
import io.sluice.codecs.client.FetchCloseEncoder;
import io.sluice.codecs.client.FetchRequestEncoder;
import io.sluice.codecs.client.FetchStatusDecoder;
import io.sluice.codecs.client.MessageHeaderEncoder;
import io.sluice.codecs.client.MetadataRequestEncoder;
import io.sluice.codecs.client.ProduceRequestEncoder;
import io.sluice.codecs.client.ProduceResponseDecoder;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.SluiceClientException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a broker does with input it must refuse: frames that cannot be decoded, requests that are well-formed but
 * invalid, requests from clients that never connected or went quiet. Nothing a client sends stops the broker.
 */
class BrokerBadInputTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    @TempDir
    File dataDirectory;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SluiceBroker broker;

    @AfterEach
    void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    private <T extends AutoCloseable> T track(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    private SluiceBroker launch(final SluiceBroker.Context context)
    {
        broker = track(SluiceBroker.launch(context));
        return broker;
    }

    private TestClient connectClient()
    {
        return new TestClient(track(TestBroker.connect(broker)));
    }

    private RawClient rawClient()
    {
        return track(new RawClient(broker));
    }

    private BrokerCounters counters()
    {
        return broker.counters();
    }

    // ------------------------------------------------------------------------------------------------ raw frames

    @Test
    void shouldAnswerEveryMalformedFrameWithAnErrorResponseWhenTheClientIsConnected()
    {
        launch(TestBroker.context(dataDirectory));
        final RawClient raw = rawClient();
        raw.connect();
        final long malformedBefore = counters().malformedFrames.get();

        final List<long[]> expected = new ArrayList<>(); // {errorCode, requestTemplateId, correlationId}

        raw.send(new byte[0]);
        expected.add(expect(ErrorCode.MALFORMED_FRAME, -1, -1));
        raw.send(new byte[]{1, 2, 3});
        expected.add(expect(ErrorCode.MALFORMED_FRAME, -1, -1));

        final Random random = new Random(1234);
        final byte[] garbage = new byte[200];
        random.nextBytes(garbage);
        final UnsafeBuffer garbageBuffer = new UnsafeBuffer(garbage);
        garbageBuffer.putShort(4, (short)0xBEEF, LE);
        raw.send(garbage);
        expected.add(expect(ErrorCode.UNKNOWN_MESSAGE, garbageBuffer.getShort(2, LE) & 0xFFFF, -1));

        final long truncatedId = raw.nextCorrelationId();
        final byte[] produce = produceFrame(truncatedId, 1, 0, Acks.LEADER, new byte[100]);
        raw.send(Arrays.copyOf(produce, produce.length - 40));
        expected.add(expect(ErrorCode.MALFORMED_FRAME, ProduceRequestEncoder.TEMPLATE_ID, truncatedId));
        raw.send(Arrays.copyOf(produce, HEADER + 10));
        expected.add(expect(ErrorCode.MALFORMED_FRAME, ProduceRequestEncoder.TEMPLATE_ID, -1));

        final byte[] wrongSchema = produceFrame(raw.nextCorrelationId(), 1, 0, Acks.LEADER, new byte[10]);
        new UnsafeBuffer(wrongSchema).putShort(4, (short)RecordBatchDescriptor.SCHEMA_ID, LE);
        raw.send(wrongSchema);
        expected.add(expect(ErrorCode.UNKNOWN_MESSAGE, ProduceRequestEncoder.TEMPLATE_ID, -1));

        final byte[] newer = metadataFrame(raw.nextCorrelationId(), "x");
        new UnsafeBuffer(newer).putShort(6, (short)(ClientProtocol.PROTOCOL_VERSION + 1), LE);
        raw.send(newer);
        expected.add(expect(ErrorCode.UNSUPPORTED_VERSION, MetadataRequestEncoder.TEMPLATE_ID, -1));

        final byte[] unknownTemplate = metadataFrame(raw.nextCorrelationId(), "x");
        new UnsafeBuffer(unknownTemplate).putShort(2, (short)999, LE);
        raw.send(unknownTemplate);
        expected.add(expect(ErrorCode.UNKNOWN_MESSAGE, 999, -1));

        final byte[] response = metadataFrame(raw.nextCorrelationId(), "x");
        new UnsafeBuffer(response).putShort(2, (short)ErrorResponseDecoder.TEMPLATE_ID, LE);
        raw.send(response);
        expected.add(expect(ErrorCode.UNKNOWN_MESSAGE, ErrorResponseDecoder.TEMPLATE_ID, -1));

        final long longTopicId = raw.nextCorrelationId();
        final byte[] longTopic = metadataFrame(longTopicId, "x");
        new UnsafeBuffer(longTopic).putShort(HEADER + MetadataRequestEncoder.BLOCK_LENGTH, (short)0xFFFF, LE);
        raw.send(longTopic);
        expected.add(expect(ErrorCode.MALFORMED_FRAME, MetadataRequestEncoder.TEMPLATE_ID, longTopicId));

        for (final long recordsLength : new long[]{0xFFFF_FFFFL, 0x8000_0000L, 0x7FFF_FFFFL, 0x7FFF_FFF0L, 101})
        {
            final long correlationId = raw.nextCorrelationId();
            final byte[] frame = produceFrame(correlationId, 1, 0, Acks.LEADER, new byte[100]);
            new UnsafeBuffer(frame).putInt(HEADER + ProduceRequestEncoder.BLOCK_LENGTH, (int)recordsLength, LE);
            raw.send(frame);
            expected.add(expect(ErrorCode.MALFORMED_FRAME, ProduceRequestEncoder.TEMPLATE_ID, correlationId));
        }

        final long manyConfigsId = raw.nextCorrelationId();
        final byte[] manyConfigs = createTopicFrame(manyConfigsId, "many");
        new UnsafeBuffer(manyConfigs).putShort(HEADER + CreateTopicRequestEncoder.BLOCK_LENGTH + 2, (short)0xFFFF, LE);
        raw.send(manyConfigs);
        expected.add(expect(ErrorCode.MALFORMED_FRAME, CreateTopicRequestEncoder.TEMPLATE_ID, manyConfigsId));

        final byte[] shortBlock = fetchFrame(raw.nextCorrelationId(), 1, 1, 0, 0, CreditMode.RECORDS, 1);
        new UnsafeBuffer(shortBlock).putShort(0, (short)(FetchRequestEncoder.BLOCK_LENGTH - 1), LE);
        raw.send(shortBlock);
        expected.add(expect(ErrorCode.MALFORMED_FRAME, FetchRequestEncoder.TEMPLATE_ID, -1));

        final byte[] longBlock = fetchFrame(raw.nextCorrelationId(), 1, 1, 0, 0, CreditMode.RECORDS, 1);
        new UnsafeBuffer(longBlock).putShort(0, (short)(FetchRequestEncoder.BLOCK_LENGTH + 1), LE);
        raw.send(longBlock);
        expected.add(expect(ErrorCode.MALFORMED_FRAME, FetchRequestEncoder.TEMPLATE_ID, -1));

        raw.pollUntil(() -> raw.replies.size() >= expected.size());
        raw.pollFor(200);
        assertEquals(expected.size(), raw.replies.size(), "one answer per frame: " + raw.replies);
        for (int i = 0; i < expected.size(); i++)
        {
            final RawClient.Reply reply = raw.replies.get(i);
            final String what = "frame " + i + ": " + reply;
            assertEquals(ErrorResponseDecoder.TEMPLATE_ID, reply.templateId(), what);
            assertEquals(ErrorCode.get((int)expected.get(i)[0]), reply.errorCode(), what);
            assertEquals(expected.get(i)[1], reply.requestTemplateId(), what);
            assertEquals(expected.get(i)[2], reply.correlationId(), what);
            assertTrue(!reply.message().isEmpty(), what);
        }
        assertEquals(malformedBefore + expected.size(), counters().malformedFrames.get());

        // The same connection is still served ...
        raw.replies.clear();
        final long deleteId = raw.nextCorrelationId();
        raw.send(deleteTopicFrame(deleteId, "no-such-topic"));
        final RawClient.Reply deleted = raw.awaitReply(deleteId);
        assertEquals(AdminResponseDecoder.TEMPLATE_ID, deleted.templateId());
        assertEquals(ErrorCode.UNKNOWN_TOPIC, deleted.errorCode());

        // ... and so is everyone else.
        assertBrokerServes();
    }

    @Test
    void shouldRefuseInvalidAcksAndCreditModeWhenSentRaw()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("acks", 1, 1, Map.of());
        final RawClient raw = rawClient();
        raw.connect();

        final int batchLength = client.batch("v");
        final byte[] batch = new byte[batchLength];
        client.batchBuffer().getBytes(0, batch);
        final long produceId = raw.nextCorrelationId();
        final byte[] produce = produceFrame(produceId, topicId, 0, Acks.LEADER, batch);
        new UnsafeBuffer(produce).putByte(HEADER + ProduceRequestEncoder.acksEncodingOffset(), (byte)7);
        raw.send(produce);
        final RawClient.Reply acks = raw.awaitReply(produceId);
        assertEquals(ProduceResponseDecoder.TEMPLATE_ID, acks.templateId());
        assertEquals(ErrorCode.INVALID_ACKS, acks.errorCode(), acks.message());
        assertTrue(acks.message().contains("7"), acks.message());

        final long fetchId = raw.nextCorrelationId();
        final byte[] fetch = fetchFrame(fetchId, 1, topicId, 0, 0, CreditMode.RECORDS, 10);
        new UnsafeBuffer(fetch).putByte(HEADER + FetchRequestEncoder.creditModeEncodingOffset(), (byte)5);
        raw.send(fetch);
        final RawClient.Reply credit = raw.awaitReply(fetchId);
        assertEquals(FetchStatusDecoder.TEMPLATE_ID, credit.templateId());
        assertEquals(ErrorCode.INVALID_CREDIT, credit.errorCode(), credit.message());

        assertEquals(0, client.connection.describeTopic("acks").partitions().get(0).logEndOffset());
    }

    @Test
    void shouldDropAndCountRequestsWhenTheirImageNeverConnected()
    {
        launch(TestBroker.context(dataDirectory));
        final RawClient stranger = rawClient();
        final long unconnectedBefore = counters().unconnectedRequests.get();
        final long malformedBefore = counters().malformedFrames.get();
        final long requestsBefore = counters().requests.get();

        stranger.send(metadataFrame(stranger.nextCorrelationId(), ""));
        stranger.send(produceFrame(stranger.nextCorrelationId(), 1, 0, Acks.LEADER, new byte[10]));
        stranger.send(fetchFrame(stranger.nextCorrelationId(), 1, 1, 0, 0, CreditMode.RECORDS, 1));
        stranger.heartbeat();
        stranger.send(fetchCloseFrame(1));
        stranger.send(new byte[]{9, 9, 9});
        final int sent = 6;

        awaitCounter(counters().unconnectedRequests, unconnectedBefore + sent);
        assertEquals(malformedBefore + 1, counters().malformedFrames.get());
        assertEquals(requestsBefore, counters().requests.get(), "nothing was served");
        assertEquals(0, counters().connections.get());
        stranger.pollFor(200);
        assertEquals(List.of(), stranger.replies);
        assertEquals(unconnectedBefore + sent, counters().unconnectedRequests.get());

        // Once it connects, it is served like anyone else.
        stranger.connect();
        final long deleteId = stranger.nextCorrelationId();
        stranger.send(deleteTopicFrame(deleteId, "nope"));
        assertEquals(ErrorCode.UNKNOWN_TOPIC, stranger.awaitReply(deleteId).errorCode());
        assertEquals(unconnectedBefore + sent, counters().unconnectedRequests.get());
    }

    // ------------------------------------------------------------------------------------------------ produce

    @Test
    void shouldAnswerUnknownTopicWhenProducingToATopicIdThatDoesNotExist()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("known", 1, 1, Map.of());

        for (final int unknownId : new int[]{topicId + 1000, -1, Integer.MAX_VALUE})
        {
            final TestClient.Ack ack = client.produceAndAwait(unknownId, 0, "v");
            assertEquals(ErrorCode.UNKNOWN_TOPIC, ack.errorCode(), ack.message());
            assertEquals(-1, ack.baseOffset());
        }
        final long correlationId = client.produce(topicId + 7, 0, Acks.NONE, client.batchBuffer(), client.batch("v"));
        assertEquals(ErrorCode.UNKNOWN_TOPIC, client.awaitAck(correlationId).errorCode(),
            "a failed request is answered whatever its acks");

        final int deleted = client.connection.createTopic("deleted", 1, 1, Map.of());
        client.connection.deleteTopic("deleted");
        assertEquals(ErrorCode.UNKNOWN_TOPIC, client.produceAndAwait(deleted, 0, "v").errorCode());
    }

    @Test
    void shouldAnswerUnknownPartitionAndAppendNothingWhenThePartitionIsOutOfRange()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("two", 2, 1, Map.of());

        for (final int partition : new int[]{2, -1, Integer.MIN_VALUE, Integer.MAX_VALUE})
        {
            final TestClient.Ack ack = client.produceAndAwait(topicId, partition, "v");
            assertEquals(ErrorCode.UNKNOWN_PARTITION, ack.errorCode(), ack.message());
        }
        assertEquals(0, client.produceAndAwait(topicId, 1, "v").baseOffset());
        assertLogEndOffsets(client, "two", 0, 1);
    }

    @Test
    void shouldRefuseABatchLargerThanMaxMessageBytesAndAppendNothing()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("big", 1, 1, Map.of());
        client.produceAndAwait(topicId, 0, "small");

        final int length = client.batch("x".repeat(70 * 1024));
        assertTrue(length > TestBroker.MAX_MESSAGE_BYTES && length <= client.connection.maxProduceBatchLength(),
            "a batch the connection carries but the topic refuses: " + length);
        final TestClient.Ack ack = client.awaitAck(
            client.produce(topicId, 0, Acks.LEADER, client.batchBuffer(), length));
        assertEquals(ErrorCode.RECORD_TOO_LARGE, ack.errorCode(), ack.message());
        assertEquals(-1, ack.baseOffset());
        assertLogEndOffsets(client, "big", 1);

        assertEquals(1, client.produceAndAwait(topicId, 0, "small again").baseOffset());
    }

    @Test
    void shouldRefuseACorruptBatchAndAppendNothingWhenAByteUnderTheCrcIsFlipped()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("crc", 1, 1, Map.of());

        final int length = client.batch("k=hello", "world");
        final UnsafeBuffer batch = client.batchBuffer();
        for (final int at : new int[]{length - 1, length / 2, RecordBatchDescriptor.FIRST_TIMESTAMP_OFFSET})
        {
            assertTrue(at >= RecordBatchDescriptor.CRC_COVERAGE_OFFSET);
            batch.putByte(at, (byte)(batch.getByte(at) ^ 0x10));
            final TestClient.Ack ack = client.awaitAck(client.produce(topicId, 0, Acks.LEADER, batch, length));
            assertEquals(ErrorCode.CORRUPT_BATCH, ack.errorCode(), "flipped byte " + at + ": " + ack.message());
            batch.putByte(at, (byte)(batch.getByte(at) ^ 0x10));
        }
        final TestClient.Ack truncated = client.awaitAck(client.produce(topicId, 0, Acks.LEADER, batch, length - 3));
        assertEquals(ErrorCode.CORRUPT_BATCH, truncated.errorCode(), truncated.message());
        assertLogEndOffsets(client, "crc", 0);

        final TestClient.Ack good = client.awaitAck(client.produce(topicId, 0, Acks.LEADER, batch, length));
        assertEquals(ErrorCode.NONE, good.errorCode(), "the same batch unflipped");
        assertLogEndOffsets(client, "crc", 2);
    }

    // ------------------------------------------------------------------------------------------------ fetch

    @Test
    void shouldRefuseAFetchWhenTheOffsetIsNegativeOrPastTheEnd()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("fetch", 1, 1, Map.of());
        client.produceAndAwait(topicId, 0, "a", "b", "c");

        client.fetch(1, topicId, 0, -5, CreditMode.RECORDS, 10);
        client.fetch(2, topicId, 0, Long.MIN_VALUE, CreditMode.RECORDS, 10);
        client.fetch(3, topicId, 0, 4, CreditMode.RECORDS, 10);
        client.fetch(4, topicId, 0, Long.MAX_VALUE, CreditMode.RECORDS, 10);
        client.fetch(5, topicId, 1, 0, CreditMode.RECORDS, 10);
        client.fetch(6, topicId + 50, 0, 0, CreditMode.RECORDS, 10);
        client.fetch(7, topicId, 0, 0, CreditMode.RECORDS, -1);
        client.fetch(8, topicId, 0, 3, CreditMode.RECORDS, 10);
        client.pollUntil(() -> client.statuses.size() == 8);

        assertStatus(client, 1, ErrorCode.INVALID_OFFSET);
        assertStatus(client, 2, ErrorCode.INVALID_OFFSET);
        assertStatus(client, 3, ErrorCode.OFFSET_OUT_OF_RANGE);
        assertStatus(client, 4, ErrorCode.OFFSET_OUT_OF_RANGE);
        assertStatus(client, 5, ErrorCode.UNKNOWN_PARTITION);
        assertStatus(client, 6, ErrorCode.UNKNOWN_TOPIC);
        assertStatus(client, 7, ErrorCode.INVALID_CREDIT);
        assertStatus(client, 8, ErrorCode.NONE);

        client.credit(1, 10);
        client.pollUntil(() -> client.errors.size() == 1);
        client.pollFor(200);
        assertEquals(List.of(), client.received, "a refused fetch opens no session");
    }

    @Test
    void shouldAnswerUnknownFetchSessionWhenCreditingASessionThatIsNotOpen()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("credit", 1, 1, Map.of());

        client.credit(99, 10);
        client.pollUntil(() -> client.errors.size() == 1);
        final TestClient.Error error = client.errors.get(0);
        assertEquals(ErrorCode.UNKNOWN_FETCH_SESSION, error.errorCode(), error.message());
        assertEquals(-1, error.correlationId());
        assertEquals(io.sluice.codecs.client.FetchCreditDecoder.TEMPLATE_ID, error.templateId());

        client.fetch(5, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 0);
        client.pollUntil(() -> client.statuses.size() == 1);
        client.credit(5, -1);
        client.pollUntil(() -> client.errors.size() == 2);
        assertEquals(ErrorCode.INVALID_CREDIT, client.errors.get(1).errorCode());

        client.offer(() -> client.connection.offerFetchClose(5));
        client.credit(5, 10);
        client.pollUntil(() -> client.errors.size() == 3);
        assertEquals(ErrorCode.UNKNOWN_FETCH_SESSION, client.errors.get(2).errorCode(), "closed is not open");
    }

    // ------------------------------------------------------------------------------------------------ admin

    @Test
    void shouldRefuseCreatingATopicWhenTheRequestIsInvalid()
    {
        launch(TestBroker.context(dataDirectory));
        final ClientConnection connection = connectClient().connection;
        connection.createTopic("t", 1, 1, Map.of());

        assertRefused(ErrorCode.TOPIC_EXISTS, () -> connection.createTopic("t", 1, 1, Map.of()));
        assertRefused(ErrorCode.TOPIC_EXISTS, () -> connection.createTopic("t", 2, 1, Map.of()));
        for (final String name : new String[]{"a/b", "__x", "__consumer_offsets", "", ".", "..", "sp ace", "t\u00e9",
            "x".repeat(201), "../etc"})
        {
            assertRefused(ErrorCode.INVALID_TOPIC, () -> connection.createTopic(name, 1, 1, Map.of()));
        }
        for (final int partitions : new int[]{0, -1, BrokerAgent.MAX_PARTITIONS + 1})
        {
            assertRefused(ErrorCode.INVALID_PARTITIONS, () -> connection.createTopic("p", partitions, 1, Map.of()));
        }
        for (final int replicationFactor : new int[]{3, 0, -1})
        {
            assertRefused(ErrorCode.INVALID_REPLICATION_FACTOR,
                () -> connection.createTopic("r", 1, replicationFactor, Map.of()));
        }
        assertRefused(ErrorCode.INVALID_CONFIG,
            () -> connection.createTopic("c", 1, 1, Map.of("retention.ms", "soon")));
        assertRefused(ErrorCode.INVALID_CONFIG, () -> connection.createTopic("c", 1, 1, Map.of("no.such.key", "1")));
        final SluiceClientException tooBig = assertRefused(ErrorCode.INVALID_CONFIG, () -> connection.createTopic(
            "c", 1, 1, Map.of("max.message.bytes", String.valueOf(TestBroker.TERM_LENGTH / 8 + 1))));
        assertTrue(tooBig.getMessage().contains("max.message.bytes"), tooBig.getMessage());

        assertEquals(List.of("t"), connection.describeTopics(null, false).stream().map((d) -> d.name()).toList(),
            "no refused topic was created");
        assertTrue(!new File(dataDirectory, "c-0").exists());
    }

    @Test
    void shouldAnswerUnknownTopicWhenDescribingOrDeletingATopicThatDoesNotExist()
    {
        launch(TestBroker.context(dataDirectory));
        final ClientConnection connection = connectClient().connection;

        assertRefused(ErrorCode.UNKNOWN_TOPIC, () -> connection.describeTopic("nope"));
        assertRefused(ErrorCode.UNKNOWN_TOPIC, () -> connection.deleteTopic("nope"));
        connection.createTopic("once", 1, 1, Map.of());
        connection.deleteTopic("once");
        assertRefused(ErrorCode.UNKNOWN_TOPIC, () -> connection.deleteTopic("once"));
        assertRefused(ErrorCode.UNKNOWN_TOPIC, () -> connection.describeTopic("once"));
        assertEquals(List.of(), connection.describeTopics(null, false));
    }

    // ------------------------------------------------------------------------------------------------ sessions

    @Test
    void shouldDisconnectAClientThatStopsHeartbeating()
    {
        launch(TestBroker.context(dataDirectory).clientTimeout(500, TimeUnit.MILLISECONDS));
        final RawClient raw = rawClient();
        raw.connect();
        awaitCounter(counters().connections, 1);
        final long unconnectedBefore = counters().unconnectedRequests.get();

        // Silent from here on, its publication still open.
        awaitCounter(counters().clientTimeouts, 1);
        awaitCounter(counters().connections, 0);

        raw.heartbeat();
        awaitCounter(counters().unconnectedRequests, unconnectedBefore + 1);
        raw.send(deleteTopicFrame(raw.nextCorrelationId(), "nope"));
        awaitCounter(counters().unconnectedRequests, unconnectedBefore + 2);
        raw.pollFor(200);
        assertEquals(List.of(), raw.replies, "a timed-out client is not answered");
        assertEquals(1, counters().clientTimeouts.get());
    }

    @Test
    void shouldCloseTheSessionWhenTheClientGoes()
    {
        launch(TestBroker.context(dataDirectory));
        final TestClient client = connectClient();
        awaitCounter(counters().connections, 1);
        final int topicId = client.connection.createTopic("going", 1, 1, Map.of());
        client.produceAndAwait(topicId, 0, "v");
        client.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 100);
        client.pollUntil(() -> client.received.size() == 1);

        final TestClient other = connectClient();
        awaitCounter(counters().connections, 2);

        client.connection.close();
        awaitCounter(counters().connections, 1);
        assertEquals(0, counters().clientTimeouts.get());

        assertEquals(1, other.produceAndAwait(topicId, 0, "still served").baseOffset());
        other.connection.close();
        awaitCounter(counters().connections, 0);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void assertBrokerServes()
    {
        final TestClient client = connectClient();
        final int topicId = client.connection.createTopic("after-garbage", 1, 1, Map.of());
        assertEquals(0, client.produceAndAwait(topicId, 0, "k=still", "working").baseOffset());
        client.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 10);
        client.pollUntil(() -> client.received.size() == 2);
        assertEquals("k", client.received.get(0).key());
        assertEquals("still", client.received.get(0).value());
        assertEquals("working", client.received.get(1).value());
    }

    private static void assertStatus(final TestClient client, final long sessionId, final ErrorCode errorCode)
    {
        final TestClient.Status status = client.statuses.stream()
            .filter((s) -> s.sessionId() == sessionId).findFirst().orElseThrow();
        assertEquals(errorCode, status.errorCode(), "fetch session " + sessionId + ": " + status.message());
        if (errorCode != ErrorCode.NONE)
        {
            assertTrue(!status.message().isEmpty());
        }
    }

    private static void assertLogEndOffsets(final TestClient client, final String topic, final long... expected)
    {
        final long[] actual = client.connection.describeTopic(topic).partitions().stream()
            .mapToLong((p) -> p.logEndOffset()).toArray();
        assertEquals(Arrays.toString(expected), Arrays.toString(actual), "log end offsets of " + topic);
    }

    private static SluiceClientException assertRefused(final ErrorCode errorCode, final Executable call)
    {
        final SluiceClientException ex = assertThrows(SluiceClientException.class, call);
        assertEquals(errorCode, ex.errorCode(), ex.getMessage());
        return ex;
    }

    private static void awaitCounter(final Counter counter, final long expected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (counter.get() != expected)
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail(counter.label() + " is " + counter.get() + ", expected " + expected);
            }
            Thread.yield();
        }
    }

    private static long[] expect(final ErrorCode errorCode, final int requestTemplateId, final long correlationId)
    {
        return new long[]{errorCode.value(), requestTemplateId, correlationId};
    }

    private static byte[] bytes(final UnsafeBuffer buffer, final int bodyLength)
    {
        final byte[] bytes = new byte[HEADER + bodyLength];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] produceFrame(
        final long correlationId, final int topicId, final int partition, final Acks acks, final byte[] records)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[HEADER + 64 + records.length]);
        final ProduceRequestEncoder encoder = new ProduceRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .acks(acks)
            .putRecords(records, 0, records.length);
        return bytes(buffer, encoder.encodedLength());
    }

    private static byte[] metadataFrame(final long correlationId, final String topic)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final MetadataRequestEncoder encoder = new MetadataRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .includeConfig((short)0)
            .topic(topic);
        return bytes(buffer, encoder.encodedLength());
    }

    private static byte[] createTopicFrame(final long correlationId, final String topic)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final CreateTopicRequestEncoder encoder = new CreateTopicRequestEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .partitions(1)
            .replicationFactor((short)1)
            .configsCount(1)
            .next().key("retention.ms").value("1000");
        encoder.topic(topic);
        return bytes(buffer, encoder.encodedLength());
    }

    private static byte[] deleteTopicFrame(final long correlationId, final String topic)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final DeleteTopicRequestEncoder encoder = new DeleteTopicRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .topic(topic);
        return bytes(buffer, encoder.encodedLength());
    }

    private static byte[] fetchFrame(
        final long correlationId,
        final long sessionId,
        final int topicId,
        final int partition,
        final long offset,
        final CreditMode creditMode,
        final long credit)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final FetchRequestEncoder encoder = new FetchRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .sessionId(sessionId)
            .topicId(topicId)
            .partition(partition)
            .fetchOffset(offset)
            .creditMode(creditMode)
            .initialCredit(credit);
        return bytes(buffer, encoder.encodedLength());
    }

    private static byte[] fetchCloseFrame(final long sessionId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final FetchCloseEncoder encoder = new FetchCloseEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .sessionId(sessionId);
        return bytes(buffer, encoder.encodedLength());
    }
}

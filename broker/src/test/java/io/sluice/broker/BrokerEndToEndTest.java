package io.sluice.broker;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.Assignor;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerEndToEndTest
{
    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private ClientConnection connection;
    private TestClient client;

    @BeforeEach
    void launch()
    {
        broker = TestBroker.launch(dataDirectory);
        connection = TestBroker.connect(broker);
        client = new TestClient(connection);
    }

    @AfterEach
    void close()
    {
        org.agrona.CloseHelper.closeAll(connection, broker);
    }

    @Test
    void shouldProduceAndConsumeManyPartitionsInOrder()
    {
        final int partitions = 4;
        final int perPartition = 250;
        final int topicId = connection.createTopic("orders", partitions, 1, Map.of());

        for (int i = 0; i < perPartition; i++)
        {
            for (int p = 0; p < partitions; p++)
            {
                final int length = client.batch("k" + p + "=v" + p + "-" + i);
                client.produce(topicId, p, Acks.LEADER, client.batchBuffer(), length);
            }
        }
        client.pollUntil(() -> client.acks.size() == partitions * perPartition);
        for (int p = 0; p < partitions; p++)
        {
            final int partition = p;
            final List<Long> offsets = client.acks.stream()
                .filter((a) -> a.partition() == partition)
                .map(TestClient.Ack::baseOffset)
                .collect(Collectors.toList());
            assertTrue(client.acks.stream().allMatch((a) -> a.errorCode() == ErrorCode.NONE));
            assertEquals(perPartition, offsets.size());
            for (int i = 0; i < perPartition; i++)
            {
                assertEquals(i, offsets.get(i), "acks of partition " + p + " in offset order");
            }
        }

        for (int p = 0; p < partitions; p++)
        {
            client.fetch(100 + p, topicId, p, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, Long.MAX_VALUE);
        }
        client.pollUntil(() -> client.received.size() == partitions * perPartition);
        for (int p = 0; p < partitions; p++)
        {
            final int partition = p;
            final List<TestClient.Received> records = client.received.stream()
                .filter((r) -> r.partition() == partition)
                .collect(Collectors.toList());
            assertEquals(perPartition, records.size());
            for (int i = 0; i < perPartition; i++)
            {
                assertEquals(i, records.get(i).offset());
                assertEquals("k" + p, records.get(i).key());
                assertEquals("v" + p + "-" + i, records.get(i).value());
            }
        }

        final TopicDescription description = connection.describeTopic("orders");
        assertEquals(partitions, description.partitions().size());
        assertEquals(perPartition, description.partitions().get(3).logEndOffset());
    }

    /**
     * A topic wider than the partitions the agent creates per duty cycle is created over several of them, listed
     * and answered only when every partition exists.
     */
    @Test
    void shouldCreateATopicWiderThanOneDutyCycleCreatesAndServeEveryPartition()
    {
        final int partitions = 3 * BrokerAgent.LOG_OPENS_PER_DUTY_CYCLE + 5;
        final int topicId = connection.createTopic("wide", partitions, 1, Map.of());
        assertEquals(partitions, connection.describeTopic("wide").partitions().size());

        for (final int p : new int[]{ 0, BrokerAgent.LOG_OPENS_PER_DUTY_CYCLE, partitions - 1 })
        {
            final int length = client.batch("k=v" + p);
            client.produce(topicId, p, Acks.LEADER, client.batchBuffer(), length);
        }
        client.pollUntil(() -> client.acks.size() == 3);
        assertTrue(client.acks.stream().allMatch((a) -> a.errorCode() == ErrorCode.NONE), client.acks.toString());
        client.fetch(7, topicId, partitions - 1, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 10);
        client.pollUntil(() -> client.received.size() == 1);
        assertEquals("v" + (partitions - 1), client.received.get(0).value());
        assertEquals(partitions, partitionDirectories(dataDirectory));
    }

    /**
     * A compacted topic: its sealed segments come to hold each key's latest record at its offset, a consumer from the
     * beginning reads them across the gaps, and record credit counts records, not offsets.
     */
    @Test
    void shouldCompactATopicAndCountRecordCreditInRecordsAcrossItsGaps()
    {
        final int topicId = connection.createTopic("prices", 1, 1, Map.of(
            "cleanup.policy", "compact", "segment.bytes", "65536", "min.cleanable.dirty.ratio", "0.01"));
        final int updates = 3000;
        for (int i = 0; i < updates; i++)
        {
            final int length = client.batch("k" + (i % 10) + "=" + i + "-" + "x".repeat(60));
            client.produce(topicId, 0, Acks.LEADER, client.batchBuffer(), length);
        }
        client.pollUntil(() -> client.acks.size() == updates);
        assertTrue(client.acks.stream().allMatch((a) -> a.errorCode() == ErrorCode.NONE));

        // The maintenance thread cleans once the sealed segments are dirty enough: read from the start until it has.
        List<TestClient.Received> read = List.of();
        for (int attempt = 0; attempt < 300; attempt++)
        {
            read = readAll(topicId, updates - 1);
            if (read.size() < updates)
            {
                break;
            }
            client.pollFor(100);
        }
        assertTrue(read.size() < updates, "compacted: " + read.size() + " records left");
        final java.util.Map<String, Long> latest = new java.util.HashMap<>();
        long previous = -1;
        for (final TestClient.Received record : read)
        {
            assertTrue(record.offset() > previous, "rising offsets");
            previous = record.offset();
            assertEquals(record.offset(), Long.parseLong(record.value().substring(0, record.value().indexOf('-'))),
                "each record at the offset it was produced at");
            latest.put(record.key(), record.offset());
        }
        for (int k = 0; k < 10; k++)
        {
            assertEquals(updates - 10 + k, latest.get("k" + k), "the latest record of k" + k);
        }

        try (ClientConnection other = TestBroker.connect(broker))
        {
            final TestClient credited = new TestClient(other);
            credited.fetch(9, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 7);
            credited.pollUntil(() -> credited.received.size() == 7);
            credited.pollFor(200);
            assertEquals(7, credited.received.size(), "7 records for a credit of 7, whatever the gaps");
            // Offsets 0 to 6 were superseded and cleaned: counted as offsets, the credit would cover none of these.
            assertTrue(credited.received.get(0).offset() > 6, credited.received.toString());
            long previousOffset = -1;
            for (final TestClient.Received record : credited.received)
            {
                assertTrue(record.offset() > previousOffset);
                previousOffset = record.offset();
                assertEquals(record.offset(),
                    Long.parseLong(record.value().substring(0, record.value().indexOf('-'))));
            }
        }
    }

    /** Every record of the partition from its start, read by a connection of its own until {@code last} arrives. */
    private List<TestClient.Received> readAll(final int topicId, final long last)
    {
        try (ClientConnection other = TestBroker.connect(broker))
        {
            final TestClient reader = new TestClient(other);
            reader.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, Long.MAX_VALUE);
            reader.pollUntil(() -> !reader.received.isEmpty() &&
                reader.received.get(reader.received.size() - 1).offset() == last);
            return List.copyOf(reader.received);
        }
    }

    private static int partitionDirectories(final File data)
    {
        final String[] names = data.list((dir, name) -> name.startsWith("wide-"));
        return null == names ? 0 : names.length;
    }

    @Test
    void shouldSendExactlyTheRecordCreditGranted()
    {
        final int topicId = connection.createTopic("credit", 1, 1, Map.of());
        for (int i = 0; i < 10; i++)
        {
            client.produceAndAwait(topicId, 0, "a" + i, "b" + i, "c" + i, "d" + i); // 4 records a batch
        }

        client.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 10);
        client.pollUntil(() -> client.received.size() >= 10);
        client.pollFor(300);
        assertEquals(10, client.received.size(), "a consumer that grants 10 records receives exactly 10");

        client.credit(1, 7);
        client.pollUntil(() -> client.received.size() >= 17);
        client.pollFor(300);
        assertEquals(17, client.received.size());
        for (int i = 0; i < 17; i++)
        {
            assertEquals(i, client.received.get(i).offset());
        }

        client.credit(1, 1000);
        client.pollUntil(() -> client.received.size() == 40);
        assertEquals(39, client.received.get(39).offset());
    }

    @Test
    void shouldSendWholeBatchesWithinByteCredit()
    {
        final int topicId = connection.createTopic("bytes", 1, 1, Map.of());
        final TestClient.Ack first = client.produceAndAwait(topicId, 0, "x".repeat(100));
        assertEquals(0, first.baseOffset());
        final int batchLength = client.batch("x".repeat(100));
        for (int i = 1; i < 5; i++)
        {
            client.produceAndAwait(topicId, 0, "x".repeat(100));
        }

        client.fetch(7, topicId, 0, 0, CreditMode.BYTES, batchLength * 2L + batchLength / 2);
        client.pollUntil(() -> client.received.size() >= 2);
        client.pollFor(300);
        assertEquals(2, client.received.size(), "two whole batches fit the byte credit, the third does not");

        client.credit(7, batchLength * 3L);
        client.pollUntil(() -> client.received.size() == 5);
    }

    @Test
    void shouldStreamRecordsProducedAfterTheFetchStarted()
    {
        final int topicId = connection.createTopic("live", 2, 1, Map.of());
        client.fetch(3, topicId, 1, ClientProtocol.LATEST_OFFSET, CreditMode.RECORDS, 100);
        client.pollUntil(() -> client.statuses.size() == 1);
        assertEquals(ErrorCode.NONE, client.statuses.get(0).errorCode());
        assertEquals(0, client.statuses.get(0).nextOffset());

        client.produceAndAwait(topicId, 1, "hello");
        client.pollUntil(() -> client.received.size() == 1);
        assertEquals("hello", client.received.get(0).value());
    }

    /**
     * On loopback both directions name the larger MTU, and a record spanning several such datagrams comes back whole.
     */
    @Test
    void shouldUseTheLoopbackMtuBothWaysAndCarryARecordOfManyDatagrams()
    {
        final int topicId = connection.createTopic("large", 1, 1, Map.of());
        assertEquals(ClientProtocol.LOOPBACK_MTU_LENGTH, connection.requestMtuLength());
        assertEquals(ClientProtocol.LOOPBACK_MTU_LENGTH, connection.responseMtuLength());

        final String value = IntStream.range(0, 5 * ClientProtocol.LOOPBACK_MTU_LENGTH / 8)
            .mapToObj((i) -> String.format("%08d", i)).collect(Collectors.joining());
        assertEquals(0, client.produceAndAwait(topicId, 0, "a", value, "b").baseOffset());
        client.fetch(9, topicId, 0, 0, CreditMode.RECORDS, 10);
        client.pollUntil(() -> client.received.size() == 3);
        assertEquals(value, client.received.get(1).value());
        assertEquals("b", client.received.get(2).value());
    }

    @Test
    void shouldKeepCommittedOffsetsAcrossARestart()
    {
        final int topicId = connection.createTopic("offsets", 2, 1, Map.of());
        assertEquals(-1, connection.committedOffset("g1", topicId, 1));
        connection.commitOffset("g1", topicId, 1, 42);
        connection.commitOffset("g1", topicId, 1, 43);
        connection.commitOffset("g2", topicId, 0, 7);
        assertEquals(43, connection.committedOffset("g1", topicId, 1));

        connection.close();
        broker.close();
        broker = TestBroker.launch(dataDirectory);
        connection = TestBroker.connect(broker);

        final int newTopicId = connection.describeTopic("offsets").topicId();
        assertEquals(43, connection.committedOffset("g1", newTopicId, 1));
        assertEquals(7, connection.committedOffset("g2", newTopicId, 0));
        assertEquals(-1, connection.committedOffset("g2", newTopicId, 1));
    }

    @Test
    void shouldOutliveItsMediaDriverAndFailRequestsAsALostConnection() throws InterruptedException
    {
        // A client on the broker's driver, noticing a silent driver after 500 ms. Aeron's default error handler
        // would end this JVM when it does; Sluice's logs, and the client closes.
        final ClientConnection orphan = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .termLength(TestBroker.TERM_LENGTH)
            .driverTimeout(500, TimeUnit.MILLISECONDS)
            .requestTimeout(2, TimeUnit.SECONDS));
        try
        {
            assertTrue(orphan.isConnected());
            broker.close();
            // Well past the timeout: Aeron's conductor checks the driver's heartbeat every 500 ms.
            Thread.sleep(3_000);
            assertFalse(orphan.isConnected());
            final SluiceClientException lost = assertThrows(SluiceClientException.class,
                () -> orphan.describeTopics(null, false));
            assertTrue(lost.getMessage().contains("lost the connection"), lost.getMessage());
        }
        finally
        {
            orphan.close();
        }
    }

    @Test
    void shouldServeEveryAcknowledgedRecordAfterARestart()
    {
        final int topicId = connection.createTopic("durable", 3, 1, Map.of("segment.bytes", "65536"));
        for (int i = 0; i < 300; i++)
        {
            client.produceAndAwait(topicId, i % 3, "value-" + i);
        }
        connection.close();
        broker.close();

        broker = TestBroker.launch(dataDirectory);
        connection = TestBroker.connect(broker);
        client = new TestClient(connection);
        final TopicDescription topic = connection.describeTopic("durable");
        for (int p = 0; p < 3; p++)
        {
            client.fetch(p, topic.topicId(), p, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 1000);
        }
        client.pollUntil(() -> client.received.size() == 300);
        for (final TestClient.Received record : client.received)
        {
            final int i = Integer.parseInt(record.value().substring("value-".length()));
            assertEquals(i % 3, record.partition());
            assertEquals(i / 3, record.offset());
        }
    }

    @Test
    void shouldAppendARetriedIdempotentBatchOnceAndAnswerItWithTheOriginalOffset()
    {
        final int topicId = connection.createTopic("idempotent", 1, 1, Map.of());
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[4096]);
        final io.sluice.codecs.RecordBatchBuilder builder = new io.sluice.codecs.RecordBatchBuilder();
        final java.util.function.IntUnaryOperator batch = (sequence) ->
        {
            builder.wrap(buffer, 0, buffer.capacity()).producer(42L, (short)0, sequence);
            builder.append(1L, null, ("seq-" + sequence).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            builder.append(2L, null, ("seq-" + (sequence + 1)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return builder.build();
        };

        final int first = batch.applyAsInt(0);
        assertEquals(0, client.awaitAck(client.produce(topicId, 0, Acks.LEADER, buffer, first)).baseOffset());
        assertEquals(0, client.awaitAck(client.produce(topicId, 0, Acks.LEADER, buffer, first)).baseOffset(),
            "the retry is answered with the first append's offset");
        final int second = batch.applyAsInt(2);
        assertEquals(2, client.awaitAck(client.produce(topicId, 0, Acks.LEADER, buffer, second)).baseOffset());
        final int gap = batch.applyAsInt(9);
        final TestClient.Ack refused = client.awaitAck(client.produce(topicId, 0, Acks.LEADER, buffer, gap));
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, refused.errorCode());
        assertTrue(refused.message().contains("sequence"), refused.message());

        assertEquals(4, connection.describeTopic("idempotent").partitions().get(0).logEndOffset());
        client.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 100);
        client.pollUntil(() -> client.received.size() == 4);
        assertEquals(List.of("seq-0", "seq-1", "seq-2", "seq-3"),
            client.received.stream().map(TestClient.Received::value).collect(Collectors.toList()));
    }

    @Test
    void shouldRunTheDriverOnTheBrokerThreadInInvokerMode(@TempDir final File otherData)
    {
        final SluiceBroker invoker = SluiceBroker.launch(
            TestBroker.context(otherData).set(SluiceBroker.Context.DRIVER_THREADING_PROP, "invoker"));
        try (ClientConnection udp = TestBroker.connect(invoker);
            ClientConnection ipc = ClientConnection.connect(new ClientConnection.Context()
                .bootstrap(invoker.listenEndpoint())
                .aeronDirectoryName(invoker.aeronDirectoryName())
                .ipc(true)
                .termLength(TestBroker.TERM_LENGTH)))
        {
            final int topicId = udp.createTopic("invoked", 1, 1, Map.of());
            final TestClient udpClient = new TestClient(udp);
            final TestClient ipcClient = new TestClient(ipc);
            for (int i = 0; i < 100; i++)
            {
                assertEquals(2L * i, udpClient.produceAndAwait(topicId, 0, "udp-" + i).baseOffset());
                assertEquals(2L * i + 1, ipcClient.produceAndAwait(topicId, 0, "ipc-" + i).baseOffset());
            }
            ipcClient.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 1000);
            ipcClient.pollUntil(() -> ipcClient.received.size() == 200);
            assertEquals("udp-99", ipcClient.received.get(198).value());
            assertEquals("ipc-99", ipcClient.received.get(199).value());
            // Aeron names a driver's threads after its directory.
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(
                (t) -> t.getName().startsWith(invoker.aeronDirectoryName())),
                "no thread of the driver's own: " + Thread.getAllStackTraces().keySet());
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(
                (t) -> t.getName().startsWith(broker.aeronDirectoryName())),
                "while a shared driver has one: " + Thread.getAllStackTraces().keySet());
        }
        finally
        {
            invoker.close();
        }
        assertFalse(new File(invoker.aeronDirectoryName()).exists(), "the embedded driver's directory is removed");
    }

    /**
     * Every IPC client of a driver subscribes to the one response stream: each must read its own session's responses
     * only. Both fetch with session 1 here, so data crossing over would land in the other's fetch.
     */
    @Test
    void shouldAnswerEachIpcClientOnItsOwnWhenTwoShareTheDriver()
    {
        try (ClientConnection first = ipcConnection("ipc-first");
            ClientConnection second = ipcConnection("ipc-second"))
        {
            final int firstTopic = connection.createTopic("ipc-first", 1, 1, Map.of());
            final int secondTopic = connection.createTopic("ipc-second", 1, 1, Map.of());
            final TestClient a = new TestClient(first);
            final TestClient b = new TestClient(second);
            for (int i = 0; i < 10; i++)
            {
                assertEquals(i, a.produceAndAwait(firstTopic, 0, "a-" + i).baseOffset());
                assertEquals(i, b.produceAndAwait(secondTopic, 0, "b-" + i).baseOffset());
            }
            a.fetch(1, firstTopic, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 100);
            b.fetch(1, secondTopic, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 100);
            a.pollUntil(() -> a.received.size() >= 10);
            b.pollUntil(() -> b.received.size() >= 10);
            for (int i = 0; i < 1_000; i++)
            {
                first.poll(a, 64);
                second.poll(b, 64);
            }
            assertEquals(10, a.acks.size(), "only its own acknowledgements: " + a.acks);
            assertEquals(10, b.acks.size(), "only its own acknowledgements: " + b.acks);
            assertEquals(IntStream.range(0, 10).mapToObj((i) -> "a-" + i).toList(),
                a.received.stream().map(TestClient.Received::value).toList());
            assertEquals(IntStream.range(0, 10).mapToObj((i) -> "b-" + i).toList(),
                b.received.stream().map(TestClient.Received::value).toList());
        }
    }

    /**
     * An answer no blocking call waits for, arriving during one on a connection nobody has polled yet, goes to the
     * connection's listener: the reactive client relies on it when its membership sends a join on a just-opened
     * coordinator connection and an admin call then waits on that connection.
     */
    @Test
    void shouldGiveTheListenerAJoinAnswerThatArrivesDuringABlockingCallBeforeAnyPoll()
    {
        final List<String> answers = new ArrayList<>();
        final ClientResponseListener listener = new ClientResponseListener()
        {
            public void onJoinGroupResponse(final long correlationId, final ErrorCode code, final int generation,
                final String memberId, final String message)
            {
                answers.add("join " + correlationId + " " + code + " " + generation);
            }
        };
        try (ClientConnection fresh = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .termLength(TestBroker.TERM_LENGTH)
            .listener(listener)))
        {
            connection.createTopic("joined", 1, 1, Map.of());
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (fresh.offerJoinGroup(77, "lonely", "", Assignor.RANGE, 10_000, 10_000, List.of("joined"),
                List.of()) < 0)
            {
                assertTrue(System.nanoTime() < deadline, "the join could not be sent");
                Thread.onSpinWait(); // no poll: the answer must come through the blocking call below
            }
            // Answered after the join, which the broker answers at once for a group of one.
            assertEquals("lonely", fresh.describeGroup("lonely").name());
            assertEquals(List.of("join 77 NONE 1"), answers);
        }
    }

    private ClientConnection ipcConnection(final String name)
    {
        return ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .clientName(name)
            .ipc(true)
            .termLength(TestBroker.TERM_LENGTH));
    }

    @Test
    void shouldRunOnAnExternalMediaDriverAndLeaveItRunning(@TempDir final File otherData)
    {
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(TestBroker.TERM_LENGTH)
            .ipcTermBufferLength(TestBroker.TERM_LENGTH)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)))
        {
            final SluiceBroker external = SluiceBroker.launch(
                TestBroker.context(otherData).aeronDirectoryName(driver.aeronDirectoryName()));
            try (ClientConnection ipc = ClientConnection.connect(new ClientConnection.Context()
                .bootstrap(external.listenEndpoint())
                .aeronDirectoryName(driver.aeronDirectoryName())
                .ipc(true)
                .termLength(TestBroker.TERM_LENGTH)))
            {
                assertEquals(driver.aeronDirectoryName(), external.aeronDirectoryName());
                final int topicId = ipc.createTopic("external", 1, 1, Map.of());
                final TestClient ipcClient = new TestClient(ipc);
                assertEquals(0, ipcClient.produceAndAwait(topicId, 0, "over-ipc").baseOffset());
                ipcClient.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, 10);
                ipcClient.pollUntil(() -> ipcClient.received.size() == 1);
                assertEquals("over-ipc", ipcClient.received.get(0).value());
            }
            finally
            {
                external.close();
            }
            assertTrue(new File(driver.aeronDirectoryName()).exists(), "the broker leaves an external driver alone");
        }
    }

    @Test
    void shouldListDescribeAndDeleteTopics()
    {
        connection.createTopic("b-topic", 2, 1, Map.of("retention.ms", "60000"));
        connection.createTopic("a-topic", 1, 1, Map.of());
        final List<TopicDescription> topics = connection.describeTopics(null, false);
        assertEquals(List.of("a-topic", "b-topic"), topics.stream().map(TopicDescription::name).toList(),
            "sorted by name, internal topics hidden");

        final TopicDescription described = connection.describeTopics("b-topic", true).get(0);
        assertEquals("60000", described.config().get("retention.ms"));
        assertEquals(List.of(broker.brokerId()), described.partitions().get(1).isr());

        connection.deleteTopic("b-topic");
        assertEquals(List.of("a-topic"),
            connection.describeTopics(null, false).stream().map(TopicDescription::name).toList());
        assertTrue(!new File(dataDirectory, "b-topic-0").exists());
    }
}

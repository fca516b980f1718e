package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.TopicDescription;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceClientTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private SluiceClient client;

    @BeforeEach
    void launch()
    {
        broker = TestBroker.launch(dataDirectory);
        client = SluiceClient.create(TestBroker.options(broker));
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, broker);
    }

    private SluiceProducer<String, String> stringProducer()
    {
        return client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()));
    }

    private ConsumerOptions<String, String> stringConsumer()
    {
        return ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer());
    }

    private void createTopic(final String topic, final int partitions)
    {
        client.admin().createTopic(topic, partitions, 1, Map.of()).block(TIMEOUT);
    }

    @Test
    void shouldSendKeyedRecordsWithTheirMetadataAndReceiveThemInOrderPerPartition()
    {
        createTopic("orders", 3);
        final int count = 1000;
        final List<SendResult<Integer>> results = stringProducer()
            .send(Flux.range(0, count).map((i) -> ProducerRecord.of("orders", "key-" + (i % 7), "value-" + i, i)))
            .collectList()
            .block(TIMEOUT);

        assertNotNull(results);
        assertEquals(count, results.size());
        assertTrue(results.stream().allMatch(SendResult::isSuccess));
        assertEquals(IntStream.range(0, count).boxed().collect(Collectors.toSet()),
            results.stream().map(SendResult::correlationMetadata).collect(Collectors.toSet()));
        final Map<Integer, Set<Integer>> partitionsByKey = new HashMap<>();
        for (final SendResult<Integer> result : results)
        {
            partitionsByKey.computeIfAbsent(result.correlationMetadata() % 7, (k) -> new HashSet<>())
                .add(result.partition());
        }
        assertTrue(partitionsByKey.values().stream().allMatch((p) -> p.size() == 1), "a key keeps its partition");

        final List<ConsumerRecord<String, String>> received = client.consumer(stringConsumer()
                .withTopics("orders")
                .withOffsetReset(OffsetReset.EARLIEST))
            .receive()
            .take(count)
            .collectList()
            .block(TIMEOUT);

        assertNotNull(received);
        assertEquals(count, received.size());
        final Map<Integer, List<ConsumerRecord<String, String>>> byPartition = received.stream()
            .collect(Collectors.groupingBy(ConsumerRecord::partition));
        for (final List<ConsumerRecord<String, String>> records : byPartition.values())
        {
            for (int i = 0; i < records.size(); i++)
            {
                assertEquals(i, records.get(i).offset());
            }
            final List<Integer> sequence = records.stream()
                .map((r) -> Integer.parseInt(r.value().substring("value-".length())))
                .collect(Collectors.toList());
            assertEquals(sequence.stream().sorted().collect(Collectors.toList()), sequence, "sent order kept");
        }
        for (final SendResult<Integer> result : results)
        {
            final ConsumerRecord<String, String> record = byPartition.get(result.partition()).get((int)result.offset());
            assertEquals("value-" + result.correlationMetadata(), record.value());
            assertEquals("key-" + (result.correlationMetadata() % 7), record.key());
        }
    }

    @Test
    void shouldCarryRecordHeadersInOrderFromProducerToConsumer()
    {
        createTopic("headed", 1);
        final List<SendResult<Integer>> results = stringProducer()
            .send(Flux.range(0, 50).map((i) -> ProducerRecord.of("headed", "k" + i, "v" + i, i)
                .withHeaders(i % 2 == 0 ? List.of(Header.of("trace", "t-" + i), Header.of("trace", "again"),
                    new Header("empty", new byte[0])) : List.of())))
            .collectList()
            .block(TIMEOUT);
        assertTrue(results.stream().allMatch(SendResult::isSuccess));

        final List<ConsumerRecord<String, String>> received = client.consumer(stringConsumer()
                .withTopics("headed")
                .withOffsetReset(OffsetReset.EARLIEST))
            .receive()
            .take(50)
            .collectList()
            .block(TIMEOUT);
        for (int i = 0; i < 50; i++)
        {
            final List<Header> headers = received.get(i).headers();
            if (i % 2 == 0)
            {
                assertEquals(List.of("trace", "trace", "empty"), headers.stream().map(Header::key).toList());
                assertEquals("t-" + i, headers.get(0).valueAsString());
                assertEquals("again", headers.get(1).valueAsString());
                assertEquals(0, headers.get(2).value().length);
            }
            else
            {
                assertEquals(List.of(), headers);
            }
        }
    }

    @Test
    void shouldSpreadUnkeyedRecordsRoundRobinOrStickyByRequest()
    {
        createTopic("spread", 4);
        final List<SendResult<Void>> roundRobin = client.producer(
                ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer())
                    .withPartitioning(Partitioning.ROUND_ROBIN))
            .send(Flux.range(0, 8).map((i) -> ProducerRecord.<String, String>of("spread", null, "v" + i)))
            .collectList()
            .block(TIMEOUT);
        assertNotNull(roundRobin);
        final Map<Integer, Long> perPartition = roundRobin.stream()
            .collect(Collectors.groupingBy(SendResult::partition, Collectors.counting()));
        assertEquals(Map.of(0, 2L, 1, 2L, 2, 2L, 3, 2L), perPartition);

        final SendResult<Void> first = stringProducer().send(ProducerRecord.<String, String>of("spread", null, "a"))
            .block(TIMEOUT);
        final SendResult<Void> named = stringProducer().send(
            new ProducerRecord<String, String, Void>("spread", 3, 42L, null, "b", null)).block(TIMEOUT);
        assertNotNull(first);
        assertNotNull(named);
        assertEquals(3, named.partition());
    }

    @Test
    void shouldTakeFromUpstreamOnlyAsResultsAreTaken()
    {
        createTopic("demand", 1);
        final List<Long> upstreamRequests = new ArrayList<>();
        final Flux<ProducerRecord<String, String, Integer>> upstream = Flux.range(0, 100)
            .doOnRequest(upstreamRequests::add)
            .map((i) -> ProducerRecord.of("demand", null, "v" + i, i));
        final SluiceProducer<String, String> producer = client.producer(
            ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()).withMaxInFlight(4));

        StepVerifier.create(producer.send(upstream), 0)
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(300))
            .then(() -> assertEquals(List.of(4L), upstreamRequests, "maxInFlight at first, nothing more"))
            .thenRequest(10)
            .expectNextCount(10)
            .expectNoEvent(Duration.ofMillis(200))
            .then(() -> assertEquals(14L, upstreamRequests.stream().mapToLong(Long::longValue).sum(),
                "one more per result taken"))
            .thenRequest(Long.MAX_VALUE)
            .expectNextCount(90)
            .expectComplete()
            .verify(TIMEOUT);
    }

    @Test
    void shouldLingerUntilTheBatchFillsTheLingerEndsOrTheUpstreamCompletes()
    {
        createTopic("linger", 1);
        final ProducerOptions<String, String> options =
            ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer());

        StepVerifier.create(client.producer(options.withLinger(Duration.ofMillis(400)))
                .send(Flux.range(0, 10).map((i) -> ProducerRecord.<String, String, Integer>of("linger", null, "v" + i, i))
                    .concatWith(Flux.never())))
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(150)) // nothing can be sent before the linger ends
            .expectNextCount(10)
            .thenCancel()
            .verify(TIMEOUT);

        StepVerifier.create(client.producer(options.withLinger(Duration.ofHours(1)).withMaxBatchBytes(1024))
                .send(Flux.range(0, 100).map((i) -> ProducerRecord.<String, String, Integer>of("linger", null, "x".repeat(100), i))
                    .concatWith(Flux.never())))
            .expectNextCount(80) // full batches go without waiting the hour; a partial one may linger
            .thenCancel()
            .verify(TIMEOUT);

        final List<Long> offsets = client.producer(options.withLinger(Duration.ofHours(1)))
            .send(Flux.range(0, 5).map((i) -> ProducerRecord.<String, String, Integer>of("linger", null, "end" + i, i)))
            .map(SendResult::offset)
            .collectList()
            .block(TIMEOUT); // the upstream's completion sends what lingers
        assertNotNull(offsets);
        assertEquals(5, offsets.size());
        for (int i = 1; i < offsets.size(); i++)
        {
            assertEquals(offsets.get(0) + i, offsets.get(i));
        }
    }

    @Test
    void shouldCompressWithLz4AndReadBackTheSameRecords()
    {
        createTopic("plain", 1);
        createTopic("lz4", 1);
        final ProducerOptions<String, String> options = ProducerOptions.create(
            Serdes.stringSerializer(), Serdes.stringSerializer()).withLinger(Duration.ofMillis(50));
        final List<String> values = IntStream.range(0, 500)
            .mapToObj((i) -> "{\"order\":" + i + ",\"side\":\"BUY\",\"symbol\":\"ACME\",\"qty\":100}")
            .collect(Collectors.toList());
        client.producer(options).send(Flux.fromIterable(values)
            .map((v) -> ProducerRecord.<String, String>of("plain", "k", v))).blockLast(TIMEOUT);
        client.producer(options.withCompression(CompressionType.LZ4)).send(Flux.fromIterable(values)
            .map((v) -> ProducerRecord.<String, String>of("lz4", "k", v))).blockLast(TIMEOUT);

        final List<ConsumerRecord<String, String>> received = client.consumer(stringConsumer()
                .withTopics("lz4").withOffsetReset(OffsetReset.EARLIEST))
            .receive().take(values.size()).collectList().block(TIMEOUT);
        assertNotNull(received);
        assertEquals(values, received.stream().map(ConsumerRecord::value).collect(Collectors.toList()));
        assertTrue(received.stream().allMatch((r) -> "k".equals(r.key())));
        for (int i = 0; i < received.size(); i++)
        {
            assertEquals(i, received.get(i).offset());
        }

        final long plainBytes = client.admin().describeTopic("plain").block(TIMEOUT).partitions().get(0).sizeBytes();
        final long lz4Bytes = client.admin().describeTopic("lz4").block(TIMEOUT).partitions().get(0).sizeBytes();
        assertTrue(lz4Bytes * 2 < plainBytes, "stored compressed: " + lz4Bytes + " against " + plainBytes);
    }

    @Test
    void shouldEmitOnlyWhatIsRequestedAndHoldNoMoreThanTheBound() throws Exception
    {
        final String topic = "bounded";
        client.admin().createTopic(topic, 1, 1, Map.of("max.message.bytes", "16384")).block(TIMEOUT);
        final String value = "x".repeat(1000);
        final int count = 2000; // 2 MB on the broker
        final List<SendResult<Void>> sent = stringProducer()
            .send(Flux.range(0, count).map((i) -> ProducerRecord.<String, String>of(topic, null, value)))
            .collectList().block(TIMEOUT);
        assertNotNull(sent);
        assertEquals(count, sent.size());

        final long bound = 64 * 1024;
        final AtomicInteger decoded = new AtomicInteger();
        final Deserializer<String> strings = Serdes.stringDeserializer();
        final SluiceConsumer<String, String> consumer = client.consumer(ConsumerOptions.<String, String>create(
                Serdes.stringDeserializer(), (t, bytes) ->
                {
                    decoded.incrementAndGet();
                    return strings.deserialize(t, bytes);
                })
            .withAssignment(new TopicPartition(topic, 0))
            .withOffsetReset(OffsetReset.EARLIEST)
            .withMaxBufferedBytes(bound));
        final io.sluice.client.internal.DefaultSluiceClient internal =
            (io.sluice.client.internal.DefaultSluiceClient)client;

        StepVerifier.create(consumer.receive(), 0)
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(300))
            .then(() -> assertEquals(0L, held(internal), "no demand, no credit"))
            .thenRequest(3)
            .expectNextCount(3)
            .expectNoEvent(Duration.ofMillis(500))
            .then(() ->
            {
                final long held = held(internal);
                assertTrue(held > 0 && held <= bound, "held " + held + " within " + bound);
                // What is held waits as received bytes: a record is decoded when it is emitted, not before.
                assertEquals(3, decoded.get(), "records deserialized");
            })
            .thenRequest(500)
            .expectNextCount(500)
            .expectNoEvent(Duration.ofMillis(300))
            .then(() -> assertTrue(held(internal) <= bound))
            .then(() -> assertEquals(503, decoded.get(), "records deserialized"))
            .thenCancel()
            .verify(TIMEOUT);
    }

    private static long held(final io.sluice.client.internal.DefaultSluiceClient client)
    {
        try
        {
            return client.heldBytes().get();
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Test
    void shouldCommitInOffsetOrderNeverPastAnUnacknowledgedRecord()
    {
        createTopic("acks", 1);
        stringProducer().send(Flux.range(0, 20).map((i) -> ProducerRecord.<String, String>of("acks", null, "v" + i)))
            .blockLast(TIMEOUT);
        final ConsumerOptions<String, String> options = stringConsumer()
            .withGroupId("g1")
            .withTopics("acks")
            .withOffsetReset(OffsetReset.EARLIEST)
            .withCommitInterval(Duration.ofMillis(50));
        final TopicPartition partition = new TopicPartition("acks", 0);

        client.consumer(options).receive()
            .take(10)
            .doOnNext((record) ->
            {
                if (record.offset() != 3) // 3 stays unacknowledged; those after it are acknowledged
                {
                    record.acknowledge();
                }
            })
            .blockLast(TIMEOUT);
        assertEquals(3L, client.admin().committedOffset("g1", partition).block(TIMEOUT));

        final List<Long> offsets = client.consumer(options).receive()
            .take(3)
            .doOnNext(ConsumerRecord::acknowledge)
            .map(ConsumerRecord::offset)
            .collectList().block(TIMEOUT);
        assertEquals(List.of(3L, 4L, 5L), offsets, "the next member starts at the first unacknowledged record");
        assertEquals(6L, client.admin().committedOffset("g1", partition).block(TIMEOUT));
    }

    @Test
    void shouldAcknowledgeOutOfOrderAndCommitInOrder()
    {
        createTopic("reorder", 1);
        stringProducer().send(Flux.range(0, 6).map((i) -> ProducerRecord.<String, String>of("reorder", null, "v" + i)))
            .blockLast(TIMEOUT);
        final TopicPartition partition = new TopicPartition("reorder", 0);
        final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        StepVerifier.create(client.consumer(stringConsumer()
                .withGroupId("g2").withTopics("reorder").withOffsetReset(OffsetReset.EARLIEST)
                .withCommitInterval(Duration.ofMillis(20)))
                .receive()
                .doOnNext(records::add), 0)
            .thenRequest(6)
            .expectNextCount(6)
            .then(() ->
            {
                for (int i = 5; i >= 1; i--)
                {
                    records.get(i).acknowledge();
                }
            })
            .thenAwait(Duration.ofMillis(300)) // many commit intervals
            .then(() -> assertEquals(-1L, client.admin().committedOffset("g2", partition).block(TIMEOUT),
                "nothing is committed past the unacknowledged record 0"))
            .then(() -> records.get(0).acknowledge())
            .then(() -> awaitCommitted("g2", partition, 6))
            .thenCancel()
            .verify(TIMEOUT);
    }

    private void awaitCommitted(final String group, final TopicPartition partition, final long expected)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        long committed;
        while ((committed = client.admin().committedOffset(group, partition).block(TIMEOUT)) != expected)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "committed " + committed + ", expected " + expected);
            LockSupport.parkNanos(10_000_000);
        }
    }

    @Test
    void shouldCommitEachRecordWhenAutoAcknowledgedOrAtMostOnce()
    {
        createTopic("auto", 1);
        stringProducer().send(Flux.range(0, 10).map((i) -> ProducerRecord.<String, String>of("auto", null, "v" + i)))
            .blockLast(TIMEOUT);
        final TopicPartition partition = new TopicPartition("auto", 0);

        client.consumer(stringConsumer().withGroupId("auto-ack").withTopics("auto")
                .withOffsetReset(OffsetReset.EARLIEST))
            .receiveAutoAck().take(7).blockLast(TIMEOUT);
        assertEquals(7L, client.admin().committedOffset("auto-ack", partition).block(TIMEOUT));

        final List<Long> atMostOnce = client.consumer(stringConsumer().withGroupId("at-most-once")
                .withTopics("auto").withOffsetReset(OffsetReset.EARLIEST))
            .receiveAtMostOnce()
            .take(4)
            .map(ConsumerRecord::offset)
            .collectList().block(TIMEOUT);
        assertEquals(List.of(0L, 1L, 2L, 3L), atMostOnce);
        assertEquals(4L, client.admin().committedOffset("at-most-once", partition).block(TIMEOUT));

        StepVerifier.create(client.consumer(stringConsumer().withTopics("auto")).receiveAtMostOnce())
            .expectErrorSatisfies((ex) -> assertEquals(ErrorCode.INVALID_GROUP, ((SluiceException)ex).errorCode()))
            .verify(TIMEOUT);
    }

    @Test
    void shouldStartAtSeekPositionsAndTheEnd()
    {
        createTopic("seek", 2);
        stringProducer().send(Flux.range(0, 10).map((i) ->
                new ProducerRecord<String, String, Void>("seek", i % 2, null, null, "v" + i, null)))
            .blockLast(TIMEOUT);
        final List<String> fromSeek = client.consumer(stringConsumer()
                .withAssignment(new TopicPartition("seek", 1))
                .withSeek(new TopicPartition("seek", 1), 3))
            .receive().take(2).map(ConsumerRecord::value).collectList().block(TIMEOUT);
        assertEquals(List.of("v7", "v9"), fromSeek);

        StepVerifier.create(client.consumer(stringConsumer().withTopics("seek")).receive())
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(300)) // LATEST: nothing already there
            .then(() -> stringProducer().send(new ProducerRecord<String, String, Void>(
                "seek", 0, null, null, "late", null)).block(TIMEOUT))
            .assertNext((record) -> assertEquals("late", record.value()))
            .thenCancel()
            .verify(TIMEOUT);
    }

    @Test
    void shouldReadEveryTopicMatchingAPatternIncludingNewOnes()
    {
        createTopic("orders-eu", 2);
        createTopic("payments", 1);
        stringProducer().send(Flux.just(
                ProducerRecord.<String, String>of("orders-eu", "a", "eu-1"),
                ProducerRecord.<String, String>of("payments", "a", "not-an-order"),
                ProducerRecord.<String, String>of("orders-eu", "b", "eu-2")))
            .blockLast(TIMEOUT);
        final List<String> values = new ArrayList<>();
        StepVerifier.create(client.consumer(stringConsumer()
                .withTopicPattern(java.util.regex.Pattern.compile("orders-.*"))
                .withOffsetReset(OffsetReset.EARLIEST)).receive())
            .recordWith(() -> new java.util.concurrent.ConcurrentLinkedQueue<>())
            .expectNextCount(2)
            .then(() ->
            {
                client.admin().createTopic("orders-us", 1, 1, Map.of()).block(TIMEOUT);
                stringProducer().send(ProducerRecord.<String, String>of("orders-us", "c", "us-1")).block(TIMEOUT);
                stringProducer().send(ProducerRecord.<String, String>of("payments", "c", "still-not")).block(TIMEOUT);
            })
            .expectNextCount(1) // picked up at the next look for new topics
            .consumeRecordedWith((records) -> records.forEach((r) -> values.add(r.value())))
            .thenCancel()
            .verify(TIMEOUT);
        java.util.Collections.sort(values);
        assertEquals(List.of("eu-1", "eu-2", "us-1"), values);
    }

    /**
     * A batch keeps timestamps as int deltas from its first record's: records days apart, sent together, go in
     * separate batches instead of stopping the producer.
     */
    @Test
    void shouldSendRecordsWhoseTimestampsAreTooFarApartForOneBatch()
    {
        createTopic("far-apart", 1);
        final long now = System.currentTimeMillis();
        final long[] timestamps = { 0, now, 0, now, now - 30L * 24 * 3600 * 1000, now };
        final List<SendResult<Integer>> results = stringProducer().send(Flux.range(0, timestamps.length).map((i) ->
                new ProducerRecord<String, String, Integer>("far-apart", 0, timestamps[i], null, "at-" + i, i)))
            .collectList().block(TIMEOUT);
        assertNotNull(results);
        assertEquals(timestamps.length, results.size());
        for (final SendResult<Integer> result : results)
        {
            assertTrue(result.isSuccess(), "record " + result.correlationMetadata() + ": " + result.exception());
        }

        final TopicPartition tp = new TopicPartition("far-apart", 0);
        final List<ConsumerRecord<String, String>> read = client.consumer(stringConsumer()
                .withAssignment(tp).withSeek(tp, ConsumerOptions.BEGINNING))
            .receive().take(timestamps.length).collectList().block(TIMEOUT);
        assertNotNull(read);
        for (int i = 0; i < timestamps.length; i++)
        {
            assertEquals("at-" + i, read.get(i).value());
            assertEquals(timestamps[i], read.get(i).timestamp());
        }
    }

    @Test
    void shouldSeekToATimestamp()
    {
        createTopic("timed", 1);
        final long t0 = 1_700_000_000_000L;
        stringProducer().send(Flux.range(0, 10).map((i) ->
                new ProducerRecord<String, String, Void>("timed", 0, t0 + i * 1000L, null, "at-" + i, null)))
            .blockLast(TIMEOUT);
        final TopicPartition tp = new TopicPartition("timed", 0);
        assertEquals(3L, client.admin().offsetForTimestamp(tp, t0 + 2500).block(TIMEOUT));
        assertEquals(0L, client.admin().offsetForTimestamp(tp, 0).block(TIMEOUT));
        assertEquals(-1L, client.admin().offsetForTimestamp(tp, t0 + 60_000).block(TIMEOUT));

        final List<ConsumerRecord<String, String>> fromTime = client.consumer(stringConsumer()
                .withAssignment(tp).withSeekToTimestamp(tp, t0 + 2500))
            .receive().take(2).collectList().block(TIMEOUT);
        assertNotNull(fromTime);
        assertEquals(List.of("at-3", "at-4"), fromTime.stream().map(ConsumerRecord::value).collect(Collectors.toList()));
        assertEquals(t0 + 3000, fromTime.get(0).timestamp());

        StepVerifier.create(client.consumer(stringConsumer().withAssignment(tp)
                .withSeekToTimestamp(tp, t0 + 60_000)).receive())
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(300)) // nothing that recent: from the end
            .then(() -> stringProducer().send(ProducerRecord.<String, String>of("timed", null, "later"))
                .block(TIMEOUT))
            .assertNext((record) -> assertEquals("later", record.value()))
            .thenCancel()
            .verify(TIMEOUT);
    }

    @Test
    void shouldFailWithTypedErrorsAndKeepGoingWhenAsked()
    {
        createTopic("known", 1);
        StepVerifier.create(stringProducer().send(ProducerRecord.<String, String>of("unknown", null, "v")))
            .expectErrorSatisfies((ex) ->
            {
                final SluiceException error = assertInstanceOf(SluiceException.class, ex);
                assertEquals(ErrorCode.UNKNOWN_TOPIC, error.errorCode());
                assertEquals(SluiceException.Kind.INVALID_REQUEST, error.kind());
            })
            .verify(TIMEOUT);

        final String tooLarge = "x".repeat(70 * 1024); // over the broker's max.message.bytes of 64 KiB
        final List<SendResult<Integer>> results = client.producer(
                ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()).withStopOnError(false))
            .send(Flux.just(
                ProducerRecord.of("known", null, "a", 0),
                ProducerRecord.of("unknown", null, "b", 1),
                ProducerRecord.of("known", null, tooLarge, 2),
                ProducerRecord.of("known", null, "c", 3)))
            .collectList().block(TIMEOUT);
        assertNotNull(results);
        final Map<Integer, SendResult<Integer>> byMetadata = results.stream()
            .collect(Collectors.toMap(SendResult::correlationMetadata, (r) -> r));
        assertTrue(byMetadata.get(0).isSuccess());
        assertEquals(ErrorCode.UNKNOWN_TOPIC, byMetadata.get(1).exception().errorCode());
        assertEquals(ErrorCode.RECORD_TOO_LARGE, byMetadata.get(2).exception().errorCode());
        assertTrue(byMetadata.get(3).isSuccess());
        assertEquals(1L, byMetadata.get(3).offset());

        final SluiceProducer<String, String> throwing = client.producer(ProducerOptions.create(
            Serdes.stringSerializer(), (topic, value) ->
            {
                throw new IllegalStateException("no");
            }));
        StepVerifier.create(throwing.send(ProducerRecord.<String, String>of("known", null, "v")))
            .expectErrorSatisfies((ex) ->
                assertEquals(SluiceException.Kind.SERIALIZATION, ((SluiceException)ex).kind()))
            .verify(TIMEOUT);

        StepVerifier.create(client.consumer(stringConsumer().withTopics("unknown")).receive())
            .expectErrorSatisfies((ex) -> assertEquals(ErrorCode.UNKNOWN_TOPIC, ((SluiceException)ex).errorCode()))
            .verify(TIMEOUT);
        StepVerifier.create(client.consumer(stringConsumer().withTopics("known").withGroupId("none")
                .withOffsetReset(OffsetReset.NONE)).receive())
            .expectErrorSatisfies((ex) -> assertEquals(ErrorCode.INVALID_OFFSET, ((SluiceException)ex).errorCode()))
            .verify(TIMEOUT);
        createTopic("wide", 4);
        StepVerifier.create(client.consumer(stringConsumer().withTopics("wide")
                .withMaxBufferedBytes(128 * 1024)).receive())
            .expectErrorSatisfies((ex) -> assertTrue(ex.getMessage().contains("raise it to 262144"), ex.getMessage()))
            .verify(TIMEOUT);
        StepVerifier.create(client.consumer(stringConsumer().withAssignment(new TopicPartition("known", 5)))
                .receive())
            .expectErrorSatisfies((ex) ->
                assertEquals(ErrorCode.UNKNOWN_PARTITION, ((SluiceException)ex).errorCode()))
            .verify(TIMEOUT);
    }

    @Test
    void shouldEmitTheRecordsBeforeOneThatCannotBeDeserializedThenFail()
    {
        createTopic("poison", 1);
        stringProducer().send(Flux.range(0, 10)
                .map((i) -> ProducerRecord.<String, String>of("poison", null, 4 == i ? "poison" : "v" + i)))
            .blockLast(TIMEOUT);
        final Deserializer<String> strings = Serdes.stringDeserializer();
        StepVerifier.create(client.consumer(ConsumerOptions.<String, String>create(Serdes.stringDeserializer(),
                    (topic, bytes) ->
                    {
                        final String value = strings.deserialize(topic, bytes);
                        if ("poison".equals(value))
                        {
                            throw new IllegalArgumentException("not a value");
                        }
                        return value;
                    })
                .withAssignment(new TopicPartition("poison", 0))
                .withOffsetReset(OffsetReset.EARLIEST))
                .receive().map(ConsumerRecord::value))
            .expectNext("v0", "v1", "v2", "v3")
            .expectErrorSatisfies((ex) ->
            {
                final SluiceException error = assertInstanceOf(SluiceException.class, ex);
                assertEquals(SluiceException.Kind.SERIALIZATION, error.kind());
                assertTrue(error.getMessage().contains("@4"), error.getMessage());
            })
            .verify(TIMEOUT);
    }

    @Test
    void shouldSendWithoutAcknowledgementsAtAcksZero()
    {
        createTopic("fire", 1);
        final List<SendResult<Integer>> results = client.producer(
                ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()).withAcks(Acks.NONE))
            .send(Flux.range(0, 50).map((i) -> ProducerRecord.of("fire", null, "v" + i, i)))
            .collectList().block(TIMEOUT);
        assertNotNull(results);
        assertEquals(50, results.size());
        assertTrue(results.stream().allMatch((r) -> r.isSuccess() && r.offset() == -1));
        final List<String> values = client.consumer(stringConsumer().withTopics("fire")
                .withOffsetReset(OffsetReset.EARLIEST))
            .receive().take(50).map(ConsumerRecord::value).collectList().block(TIMEOUT);
        assertEquals(IntStream.range(0, 50).mapToObj((i) -> "v" + i).collect(Collectors.toList()), values);
    }

    @Test
    void shouldManageTopicsAndOffsets()
    {
        final SluiceAdmin admin = client.admin();
        assertEquals(Integer.class, admin.createTopic("managed", 2, 1, Map.of("retention.ms", "60000"))
            .block(TIMEOUT).getClass());
        StepVerifier.create(admin.createTopic("managed", 2, 1, Map.of()))
            .expectErrorSatisfies((ex) -> assertEquals(ErrorCode.TOPIC_EXISTS, ((SluiceException)ex).errorCode()))
            .verify(TIMEOUT);
        final TopicDescription description = admin.describeTopic("managed").block(TIMEOUT);
        assertNotNull(description);
        assertEquals(2, description.partitions().size());
        assertEquals("60000", description.config().get("retention.ms"));
        final List<TopicDescription> topics = admin.listTopics().block(TIMEOUT);
        assertNotNull(topics);
        assertTrue(topics.stream().anyMatch((t) -> t.name().equals("managed")));

        admin.commitOffset("g", new TopicPartition("managed", 1), 42).block(TIMEOUT);
        assertEquals(42L, admin.committedOffset("g", new TopicPartition("managed", 1)).block(TIMEOUT));
        assertEquals(-1L, admin.committedOffset("g", new TopicPartition("managed", 0)).block(TIMEOUT));

        admin.deleteTopic("managed").block(TIMEOUT);
        StepVerifier.create(admin.describeTopic("managed"))
            .expectErrorSatisfies((ex) -> assertEquals(ErrorCode.UNKNOWN_TOPIC, ((SluiceException)ex).errorCode()))
            .verify(TIMEOUT);
    }

    @Test
    void shouldEndRunningFluxesWithAConnectionErrorWhenClosed()
    {
        createTopic("closing", 1);
        StepVerifier.create(client.consumer(stringConsumer().withTopics("closing")).receive())
            .expectSubscription()
            .expectNoEvent(Duration.ofMillis(200))
            .then(client::close)
            .expectErrorSatisfies((ex) ->
                assertEquals(SluiceException.Kind.CONNECTION, ((SluiceException)ex).kind()))
            .verify(TIMEOUT);
        StepVerifier.create(stringProducer().send(ProducerRecord.<String, String>of("closing", null, "v")))
            .expectErrorSatisfies((ex) ->
                assertEquals(SluiceException.Kind.CONNECTION, ((SluiceException)ex).kind()))
            .verify(TIMEOUT);
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch((t) -> t.getName().equals("sluice-client")),
            "the client's thread has ended");
    }
}

package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends and receives that run across a broker restart, graceful in this process or a SIGKILL of a broker in another:
 * the client has a media driver of its own (the broker's goes with the broker) and the broker comes back on the same
 * port with the same data.
 */
class ReconnectTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    File dataDirectory;
    @TempDir
    File workDirectory;

    private SluiceBroker broker;
    private TestBrokerProcess brokerProcess;
    private SluiceClient client;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, broker, brokerProcess);
    }

    private static int freePort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    void shouldCarrySendsAndReceivesAcrossABrokerRestartWithoutLossOrDuplicates() throws Exception
    {
        final String listen = "127.0.0.1:" + freePort();
        broker = TestBroker.launch(dataDirectory, listen);
        carryAcrossARestart(listen, () ->
        {
            broker.close();
            broker = TestBroker.launch(dataDirectory, listen);
        });
    }

    /**
     * The broker in another process, SIGKILLed while records are in flight and started again on the same data: the
     * fluxes carry on as if it had been closed gracefully, since every acknowledged record is in the log.
     */
    @Test
    void shouldCarrySendsAndReceivesAcrossABrokerSigkillWithoutLossOrDuplicates() throws Exception
    {
        final String listen = "127.0.0.1:" + freePort();
        brokerProcess = TestBrokerProcess.start(dataDirectory, listen, workDirectory);
        carryAcrossARestart(listen, () ->
        {
            brokerProcess.kill();
            brokerProcess = TestBrokerProcess.start(dataDirectory, listen, workDirectory);
        });
    }

    private interface Restart
    {
        void run() throws Exception;
    }

    private void carryAcrossARestart(final String listen, final Restart restart) throws Exception
    {
        client = SluiceClient.create(ClientOptions.create(listen)
            .withTermLength(TestBroker.TERM_LENGTH)
            .withConnectTimeout(Duration.ofSeconds(2))
            .withReconnectTimeout(Duration.ofSeconds(45)));
        client.admin().createTopic("durable", 2, 1, Map.of()).block(TIMEOUT);

        final List<String> received = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> receiveError = new AtomicReference<>();
        final Disposable receiving = client.consumer(
                ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                    .withGroupId("survivors")
                    .withTopics("durable")
                    .withOffsetReset(OffsetReset.EARLIEST)
                    .withCommitInterval(Duration.ofMillis(100)))
            .receiveAutoAck()
            .subscribe((record) -> received.add(record.value()), receiveError::set);

        final Sinks.Many<ProducerRecord<String, String, Integer>> records = Sinks.many().unicast().onBackpressureBuffer();
        final List<SendResult<Integer>> results = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> sendError = new AtomicReference<>();
        final Disposable sending = client.producer(
                ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(records.asFlux())
            .subscribe(results::add, sendError::set);

        final int perRound = 500;
        emit(records, 0, perRound);
        await(() -> results.size() == perRound && received.size() == perRound, "first round");

        emit(records, perRound, 2 * perRound); // some of these are in flight or waiting when the broker goes
        restart.run();
        emit(records, 2 * perRound, 3 * perRound);
        records.tryEmitComplete();

        await(() -> results.size() == 3 * perRound, "every record acknowledged");
        await(() -> received.size() >= 3 * perRound || null != receiveError.get(),
            () -> "every record received: " + received.size());
        assertNull(sendError.get(), () -> "send failed: " + sendError.get());
        assertNull(receiveError.get(), () -> "receive failed: " + receiveError.get());
        assertTrue(results.stream().allMatch(SendResult::isSuccess));
        final Set<Integer> acknowledged = results.stream().map(SendResult::correlationMetadata)
            .collect(Collectors.toSet());
        assertEquals(3 * perRound, acknowledged.size());

        // In the log: each record exactly once (idempotent retries), each partition in send order.
        final List<ConsumerRecord<String, String>> log = client.consumer(
                ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                    .withTopics("durable").withOffsetReset(OffsetReset.EARLIEST))
            .receive()
            .take(3 * perRound)
            .collectList()
            .block(TIMEOUT);
        assertEquals(3 * perRound, log.size());
        assertEquals(3 * perRound, log.stream().map(ConsumerRecord::value).collect(Collectors.toSet()).size(),
            "no duplicates in the log");
        for (final int partition : new int[]{ 0, 1 })
        {
            final List<Integer> sequence = log.stream().filter((r) -> r.partition() == partition)
                .map((r) -> Integer.parseInt(r.value().substring(2))).collect(Collectors.toList());
            final List<Integer> sorted = new ArrayList<>(sequence);
            Collections.sort(sorted);
            assertEquals(sorted, sequence, "partition " + partition + " in send order");
        }
        // The running receive went on from where it was: nothing lost, nothing twice.
        assertEquals(3 * perRound, new HashSet<>(received).size());
        assertEquals(3 * perRound, received.size(), "no record delivered twice to the running receive");

        sending.dispose();
        receiving.dispose();
    }

    @Test
    void shouldFailRunningFluxesWithAConnectionErrorWhenTheBrokerDoesNotComeBack() throws Exception
    {
        final String listen = "127.0.0.1:" + freePort();
        broker = TestBroker.launch(dataDirectory, listen);
        client = SluiceClient.create(ClientOptions.create(listen)
            .withTermLength(TestBroker.TERM_LENGTH)
            .withConnectTimeout(Duration.ofMillis(500))
            .withReconnectTimeout(Duration.ofSeconds(2)));
        client.admin().createTopic("gone", 1, 1, Map.of()).block(TIMEOUT);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        client.consumer(ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                .withTopics("gone"))
            .receive()
            .subscribe((record) -> { }, error::set);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));

        broker.close();
        broker = null;
        await(() -> null != error.get(), "the receive fails once reconnecting gives up");
        assertEquals(SluiceException.Kind.CONNECTION, ((SluiceException)error.get()).kind());
        final Throwable adminError = assertThrowsFrom(() -> client.admin().listTopics().block(TIMEOUT));
        assertEquals(SluiceException.Kind.CONNECTION, ((SluiceException)adminError).kind());
    }

    private static Throwable assertThrowsFrom(final Runnable call)
    {
        try
        {
            call.run();
        }
        catch (final RuntimeException ex)
        {
            return ex;
        }
        throw new AssertionError("expected a failure");
    }

    private static void emit(
        final Sinks.Many<ProducerRecord<String, String, Integer>> records, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            assertTrue(records.tryEmitNext(ProducerRecord.of("durable", "k" + (i % 10), "v-" + i, i)).isSuccess());
        }
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        await(condition, () -> what);
    }

    private static void await(final BooleanSupplier condition, final java.util.function.Supplier<String> what)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for: " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}

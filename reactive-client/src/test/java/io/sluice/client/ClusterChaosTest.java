package io.sluice.client;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Chaos: three brokers in child JVMs; for a number of rounds a random broker is killed with SIGKILL and restarted
 * after a random pause, while a producer sends with {@code acks=all} and idempotence and a consumer group reads.
 * Then every partition is read from the start and checked against what was acknowledged: the counts of acknowledged,
 * lost, duplicated and out-of-order records are printed per partition, and all but the first must be zero.
 * <p>
 * Run with {@code ./mvnw -B verify -Pchaos} (only the tests tagged {@code chaos});
 * {@code -Dsluice.chaos.rounds=N} (default 10) and {@code -Dsluice.chaos.seed=S} (default: the clock, printed) set
 * the run.
 */
@Tag("chaos")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ClusterChaosTest
{
    private static final String TOPIC = "chaos";
    private static final int PARTITIONS = 3;

    @TempDir
    File directory;

    @Test
    void shouldLoseDuplicateAndReorderNoAcknowledgedRecordAcrossRandomKills() throws Exception
    {
        final int rounds = Integer.getInteger("sluice.chaos.rounds", 10);
        final long seed = Long.getLong("sluice.chaos.seed", System.nanoTime());
        System.out.println("chaos: " + rounds + " rounds, seed " + seed);
        final Random random = new Random(seed);
        final String[] cluster = TestBroker.loopbackCluster(3);
        final TestBrokerProcess[] processes = new TestBrokerProcess[3];
        SluiceClient client = null;
        try
        {
            for (int i = 0; i < 3; i++)
            {
                processes[i] = start(i, cluster[0]);
            }
            client = SluiceClient.create(TestBroker.clusterClientOptions(cluster[1]));
            final SluiceClient admin = client;
            await("the quorum to create the topic", () ->
            {
                try
                {
                    admin.admin().createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"))
                        .block(Duration.ofSeconds(15));
                    return true;
                }
                catch (final SluiceException ex)
                {
                    return false;
                }
            });
            awaitFullIsr(admin);

            // What the producer was told: value -> partition and offset. Values are the send sequence.
            final Map<Integer, long[]> acknowledged = new ConcurrentHashMap<>();
            final AtomicLong refused = new AtomicLong();
            final AtomicBoolean producing = new AtomicBoolean(true);
            final Disposable producer = client.producer(
                    ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer())
                        .withAcks(Acks.ALL)
                        .withStopOnError(false))
                .send(Flux.range(0, Integer.MAX_VALUE)
                    .delayElements(Duration.ofMillis(1))
                    .takeWhile((i) -> producing.get())
                    .map((i) -> ProducerRecord.of(TOPIC, "k" + i, Integer.toString(i), i)))
                .subscribe((result) ->
                {
                    if (result.isSuccess())
                    {
                        acknowledged.put(result.correlationMetadata(),
                            new long[]{ result.partition(), result.offset() });
                    }
                    else
                    {
                        refused.incrementAndGet();
                    }
                });
            final Set<String> consumedByGroup = ConcurrentHashMap.newKeySet();
            final Disposable group = client.consumer(
                    ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                        .withGroupId("chaos-readers")
                        .withTopics(TOPIC)
                        .withOffsetReset(OffsetReset.EARLIEST))
                .receiveAutoAck()
                .subscribe((record) -> consumedByGroup.add(record.value()), (error) ->
                    System.out.println("chaos: the group reader ended: " + error));

            for (int round = 0; round < rounds; round++)
            {
                Thread.sleep(1000 + random.nextInt(2000));
                final int victim = random.nextInt(3);
                System.out.println("chaos: round " + (round + 1) + ": SIGKILL broker " + victim + " (" +
                    acknowledged.size() + " acknowledged so far)");
                processes[victim].kill();
                Thread.sleep(500 + random.nextInt(1500));
                processes[victim] = start(victim, cluster[0]);
                awaitFullIsr(admin);
            }
            Thread.sleep(1000);
            producing.set(false);
            await("the producer to finish", producer::isDisposed);
            await("the group to have read every acknowledged record", () ->
                acknowledged.keySet().stream().allMatch((v) -> consumedByGroup.contains(Integer.toString(v))));
            group.dispose();

            // Read every partition from the start, as it is now.
            final Map<Integer, List<ConsumerRecord<String, String>>> logs = new ConcurrentHashMap<>();
            final AtomicLong read = new AtomicLong();
            final List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                all.add(new TopicPartition(TOPIC, p));
                logs.put(p, new ArrayList<>());
            }
            final long highest = acknowledged.values().stream().mapToLong((a) -> a[1]).max().orElse(-1);
            final Disposable reader = client.consumer(
                    ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                        .withAssignment(all.toArray(new TopicPartition[0]))
                        .withOffsetReset(OffsetReset.EARLIEST))
                .receiveAutoAck()
                .subscribe((record) ->
                {
                    logs.get(record.partition()).add(record);
                    read.incrementAndGet();
                });
            await("the logs to be read past every acknowledged offset", () ->
            {
                for (final long[] ack : acknowledged.values())
                {
                    final List<ConsumerRecord<String, String>> log = logs.get((int)ack[0]);
                    synchronized (log)
                    {
                        if (log.isEmpty() || log.get(log.size() - 1).offset() < ack[1])
                        {
                            return false;
                        }
                    }
                }
                return true;
            });
            Thread.sleep(1000); // anything appended after the last acknowledgement (refused, unanswered) arrives too
            reader.dispose();

            long totalLost = 0;
            long totalDuplicated = 0;
            long totalReordered = 0;
            System.out.printf("chaos: seed %d, %d rounds, %d acknowledged, %d refused, %d read by the group%n",
                seed, rounds, acknowledged.size(), refused.get(), consumedByGroup.size());
            System.out.println("partition  acknowledged  lost  duplicated  out-of-order  (records in log)");
            for (int p = 0; p < PARTITIONS; p++)
            {
                final List<ConsumerRecord<String, String>> log = logs.get(p);
                final Map<String, Integer> copies = new HashMap<>();
                final Map<Long, String> byOffset = new HashMap<>();
                for (final ConsumerRecord<String, String> record : log)
                {
                    copies.merge(record.value(), 1, Integer::sum);
                    byOffset.put(record.offset(), record.value());
                }
                long acked = 0;
                long lost = 0;
                long duplicated = 0;
                for (final Map.Entry<Integer, long[]> entry : acknowledged.entrySet())
                {
                    if (entry.getValue()[0] != p)
                    {
                        continue;
                    }
                    acked++;
                    final String value = Integer.toString(entry.getKey());
                    // Lost: not at the offset it was acknowledged with.
                    if (!value.equals(byOffset.get(entry.getValue()[1])))
                    {
                        lost++;
                    }
                    if (copies.getOrDefault(value, 0) > 1)
                    {
                        duplicated++;
                    }
                }
                // Out of order: an acknowledged record after a later-sent acknowledged record in the log.
                long reordered = 0;
                int latestSent = -1;
                for (final ConsumerRecord<String, String> record : log)
                {
                    final int sent = Integer.parseInt(record.value());
                    if (acknowledged.containsKey(sent))
                    {
                        if (sent < latestSent)
                        {
                            reordered++;
                        }
                        latestSent = Math.max(latestSent, sent);
                    }
                }
                System.out.printf("%9d  %12d  %4d  %10d  %12d  (%d)%n", p, acked, lost, duplicated, reordered,
                    log.size());
                totalLost += lost;
                totalDuplicated += duplicated;
                totalReordered += reordered;
            }
            assertTrue(acknowledged.size() > 0, "something was acknowledged");
            assertEquals(0, totalLost, "acknowledged records lost");
            assertEquals(0, totalDuplicated, "acknowledged records duplicated");
            assertEquals(0, totalReordered, "acknowledged records out of order");
        }
        finally
        {
            CloseHelper.quietClose(client);
            for (final TestBrokerProcess process : processes)
            {
                if (null != process)
                {
                    process.close();
                }
            }
        }
    }

    private TestBrokerProcess start(final int id, final String cluster) throws Exception
    {
        return TestBrokerProcess.startClusterMember(new File(directory, "broker-" + id), id, cluster, directory);
    }

    private static void awaitFullIsr(final SluiceClient client) throws InterruptedException
    {
        await("every partition to have a leader and a full ISR", () ->
        {
            try
            {
                return client.admin().describeTopic(TOPIC).block(Duration.ofSeconds(15)).partitions().stream()
                    .allMatch((p) -> p.leader() >= 0 && p.isr().size() == 3);
            }
            catch (final SluiceException ex)
            {
                return false;
            }
        });
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within 120 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}

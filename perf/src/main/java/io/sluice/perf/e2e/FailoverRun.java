package io.sluice.perf.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.broker.SluiceBroker;
import io.sluice.engine.LogConfig;
import io.sluice.client.Acks;
import io.sluice.client.ClientOptions;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.Partitioning;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.TopicPartition;
import io.sluice.transport.TopicDescription;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of {@code sluice perf failover}: how long a replicated partition is unavailable to an {@code acks=all}
 * idempotent producer when its leader is SIGKILLed, and whether any acknowledged record is lost or duplicated.
 * <ol>
 *   <li>three Sluice brokers in cluster mode, each in a child JVM ({@link SluiceCluster}) with the broker's defaults
 *   but {@code controller.session.timeout.ms}; a topic with replication factor 3 and {@code min.insync.replicas} 2;
 *   the run waits for a full ISR, writes the new replicas' files to the disk ({@link SluiceCluster#flushToDisk()}),
 *   then waits until the cluster has gone a settle period without a leader or ISR change
 *   (right after start it is not steady on a small machine: those changes are reported apart);</li>
 *   <li>a {@link SluiceClient} (its own embedded media driver, {@code withBrokerTimeout}) sends records of
 *   {@value #RECORD_SIZE} bytes (the first 8 the sequence) with {@code acks=all} and idempotence at a steady rate,
 *   paced by one thread into an unbounded sink, so the sending application never waits;</li>
 *   <li>for each kill a partition leader is chosen and SIGKILLed: every third kill the broker that leads the
 *   controller quorum (Aeron Cluster), the others one of the quorum's followers in turn, as a crash of any one of
 *   three brokers would hit the quorum's leader a third of the time (failing over from it costs the quorum an
 *   election first; its role is read from the node role counter, see
 *   {@link SluiceBrokerProcess#controllerRole()}); with one partition its leader is killed, whatever its role. The
 *   time from the kill to the first acknowledgement received after its JVM is gone (of any record of a partition it
 *   led, sent before or after the kill), and to the first acknowledgement of such a record sent after its JVM is
 *   gone, are measured (both from the moment the SIGKILL was sent, {@link System#nanoTime()}); p50 and max are given
 *   over all kills and by the killed broker's role; then the broker is started again on its data directory
 *   and ports, the run waits until it is back in every ISR and leads its preferred partitions again, and watches
 *   the cluster for {@code --settle} (any leader or ISR change then is unexpected: a false failover);</li>
 *   <li>at the end the producer is drained and every partition is read from its start: each acknowledged record
 *   must be at the offset it was acknowledged with (else lost), once (else duplicated), and in send order.</li>
 * </ol>
 * Writes {@value RunResults#REPORT}, {@value RunResults#SUMMARY} and each broker's log ({@code broker-ID.log}: its
 * warnings with the time of day, such as a lost controller session) into the run's directory.
 * <p>
 * Not thread-safe; run it from one thread. Acknowledgements arrive on the client's thread.
 */
final class FailoverRun
{
    static final String TOPIC = "sluice-perf-failover";
    static final int BROKERS = 3;
    static final int REPLICATION_FACTOR = 3;
    static final int MIN_INSYNC_REPLICAS = 2;
    static final int RECORD_SIZE = 100;
    /** The longest a kill may take to recover before the run gives up on it. */
    static final long RECOVERY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** The longest the cluster may take to be whole again after a restart. */
    static final long REJOIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    /** The longest a restarted broker may take to lead its preferred partitions again. */
    static final long PREFERRED_LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);
    static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** The longest the run waits for the machine's write-back after flushing the new topic's files. */
    static final long WRITE_BACK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    /** The longest the run waits for a cluster without leader or ISR changes before its first kill. */
    static final long QUIET_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    private static final long POLL_MS = 100;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Everything a run needs.
     *
     * @param command          as typed after {@code sluice perf}, for the report.
     * @param kills            leader kills, 1 or more.
     * @param rate             records per second.
     * @param partitions       of the topic.
     * @param sessionTimeoutMs the brokers' {@code controller.session.timeout.ms}.
     * @param brokerTimeoutMs  the client's {@code withBrokerTimeout}.
     * @param segmentBytes     the brokers' {@code segment.bytes}, or 0 for the broker's default.
     * @param settleNs         steady time watched after each broker's return, and before the first kill.
     * @param runDirectory     where the run's files go; created, must not exist.
     * @param scratch          parent of the brokers' directories.
     */
    record Settings(
        String command,
        int kills,
        long rate,
        int partitions,
        long sessionTimeoutMs,
        long brokerTimeoutMs,
        long segmentBytes,
        long settleNs,
        File runDirectory,
        File scratch)
    {
        Settings
        {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(runDirectory, "runDirectory");
            Objects.requireNonNull(scratch, "scratch");
        }
    }

    /**
     * What one kill showed.
     *
     * @param number          1, 2, ...
     * @param partitions      the killed broker led, e.g. {@code 1} or {@code 0,2}.
     * @param broker          the leader that was killed.
     * @param controllerRole  of the killed broker in the controller quorum: 2 leader, 0 follower, -1 unknown.
     * @param newLeader       of the partition once the producer was acknowledged again, or -1 if unknown.
     * @param firstAckMs      kill to the first acknowledgement received after the JVM was gone, or -1.
     * @param firstNewAckMs   kill to the first acknowledgement of a record sent after the JVM was gone, or -1.
     * @param backInIsrMs     restart to the broker back in every ISR.
     * @param errors          sends that failed from the kill until the broker was back.
     */
    record Kill(
        int number, String partitions, int broker, int controllerRole, int newLeader, double firstAckMs,
        double firstNewAckMs, double backInIsrMs, long errors)
    {
    }

    /**
     * What reading the partitions back showed.
     *
     * @param sent            records the application emitted.
     * @param acknowledged    records acknowledged.
     * @param failed          records whose send failed.
     * @param inLog           records read from the start of every partition.
     * @param lost            acknowledged records not at their acknowledged offset.
     * @param duplicated      acknowledged records in a log more than once.
     * @param outOfOrder      acknowledged records after a later-sent acknowledged record of their partition.
     * @param notAcknowledged records in a log whose send was not acknowledged.
     */
    record History(
        long sent, long acknowledged, long failed, long inLog, long lost, long duplicated, long outOfOrder,
        long notAcknowledged)
    {
    }

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<Long, long[]> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile KillWindow window;
    private volatile boolean sending = true;
    private long sent;
    private int followerTurn;
    private final List<String> unexpectedChangeNotes = new ArrayList<>();
    private final List<String> startupChangeNotes = new ArrayList<>();

    FailoverRun(final Settings settings, final PrintStream out, final PrintStream err)
    {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    /**
     * Run every kill, check the history, print the report and write the files.
     *
     * @return 0, or 1 if a kill did not recover or an acknowledged record was lost, duplicated or reordered.
     * @throws Exception if the cluster cannot start or the files cannot be written.
     */
    int run() throws Exception
    {
        final File runDirectory = settings.runDirectory();
        if (runDirectory.exists())
        {
            throw new IllegalArgumentException("results directory already exists, not overwriting: " + runDirectory);
        }
        if (!runDirectory.mkdirs())
        {
            throw new IOException("cannot create the results directory " + runDirectory);
        }
        final Instant startedAt = Instant.now();
        final List<Kill> kills = new ArrayList<>();
        final History history;
        progress("starting %d brokers (controller.session.timeout.ms=%d)", BROKERS, settings.sessionTimeoutMs());
        final SluiceCluster cluster = SluiceCluster.start(settings.scratch(), BROKERS, brokerProperties(settings));
        try (SluiceClient client = SluiceClient.create(ClientOptions.create(cluster.bootstrap())
                .withBrokerTimeout(Duration.ofMillis(settings.brokerTimeoutMs()))
                .withClientName("sluice-perf-failover")))
        {
            createTopic(client);
            awaitWhole(client);
            awaitPreferredLeaders(client);
            // The new replicas' segments to the disk now, not half a minute into the kills (see SluiceCluster).
            cluster.flushToDisk();
            SluiceCluster.awaitWriteBack(WRITE_BACK_TIMEOUT_NS);
            progress("topic %s: %d partition(s), leaders %s; sending %,d records/s with acks=all",
                TOPIC, settings.partitions(), leaders(describe(client)), settings.rate());
            final Sinks.Many<ProducerRecord<byte[], byte[], Sent>> records =
                Sinks.many().unicast().onBackpressureBuffer();
            final Disposable producer = client.producer(
                    ProducerOptions.create(Serdes.bytesSerializer(), Serdes.bytesSerializer())
                        .withAcks(Acks.ALL)
                        .withIdempotence(true)
                        .withPartitioning(Partitioning.ROUND_ROBIN)
                        .withStopOnError(false))
                .send(records.asFlux())
                .subscribe(this::onResult, (error) -> firstFailure.compareAndSet(null, error));
            final Thread pacer = new Thread(() -> pace(records), "sluice-perf-failover-sender");
            pacer.start();
            try
            {
                awaitQuiet(client);
                for (int k = 1; k <= settings.kills(); k++)
                {
                    kills.add(killLeader(cluster, client, k));
                }
            }
            finally
            {
                sending = false;
                pacer.join();
            }
            final long drainDeadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
            while (outstanding.get() > 0 && System.nanoTime() - drainDeadlineNs < 0)
            {
                Thread.sleep(10);
            }
            producer.dispose();
            progress("reading every partition back from its start");
            history = readBack(client);
        }
        finally
        {
            cluster.copyLogsTo(runDirectory);
            cluster.close();
        }

        final String report = report(startedAt, kills, history);
        out.print(report);
        Files.writeString(new File(runDirectory, RunResults.REPORT).toPath(), report, StandardCharsets.UTF_8);
        JSON.writeValue(new File(runDirectory, RunResults.SUMMARY), summary(startedAt, kills, history));
        out.println("results: " + runDirectory);
        final boolean recovered = kills.stream().allMatch((kill) -> kill.firstNewAckMs() >= 0);
        return recovered && 0 == history.lost() && 0 == history.duplicated() && 0 == history.outOfOrder() ? 0 : 1;
    }

    /**
     * The brokers' settings: Sluice's defaults but the session timeout.
     *
     * @param settings of the run.
     * @return broker properties.
     */
    static Map<String, String> brokerProperties(final Settings settings)
    {
        final Map<String, String> properties = new HashMap<>();
        properties.put(SluiceBroker.Context.CONTROLLER_SESSION_TIMEOUT_MS_PROP,
            Long.toString(settings.sessionTimeoutMs()));
        if (settings.segmentBytes() > 0)
        {
            properties.put(SluiceBroker.Context.LOG_PREFIX + LogConfig.SEGMENT_BYTES,
                Long.toString(settings.segmentBytes()));
        }
        return properties;
    }

    /**
     * The p50 of some values by nearest rank: the smallest value at least half of them are at or below.
     *
     * @param values any order; not changed.
     * @return the p50, or -1 when there are none.
     */
    static double p50(final double[] values)
    {
        if (0 == values.length)
        {
            return -1;
        }
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int)Math.ceil(sorted.length * 0.5) - 1];
    }

    private Kill killLeader(final SluiceCluster cluster, final SluiceClient client, final int number)
        throws Exception
    {
        final TopicDescription before = describe(client);
        final int victim = chooseVictim(cluster, before, number);
        final int controllerRole = cluster.member(victim).controllerRole();
        final boolean[] affected = new boolean[settings.partitions()];
        int target = -1;
        final StringBuilder led = new StringBuilder();
        for (final TopicDescription.PartitionDescription partition : before.partitions())
        {
            if (partition.leader() == victim)
            {
                affected[partition.partition()] = true;
                target = -1 == target ? partition.partition() : target;
                led.append(led.length() > 0 ? "," : "").append(partition.partition());
            }
        }
        final KillWindow kill = new KillWindow(affected);
        window = kill;
        kill.killNs = System.nanoTime();
        cluster.kill(victim);
        kill.deadNs = System.nanoTime();

        final long deadlineNs = kill.killNs + RECOVERY_TIMEOUT_NS;
        while (0 == kill.firstNewAckNs.get() && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(1);
        }
        final double firstAckMs = millis(kill.firstAckNs.get(), kill.killNs);
        final double firstNewAckMs = millis(kill.firstNewAckNs.get(), kill.killNs);
        int newLeader = -1;
        try
        {
            newLeader = describe(client).partitions().get(target).leader();
        }
        catch (final RuntimeException ex)
        {
            // reported as unknown
        }
        progress("kill %d/%d: SIGKILL broker %d (controller %s), leader of partition(s) %s: first ack after %s ms, " +
            "first ack of a record sent after the kill after %s ms; new leader of partition %d: %d", number,
            settings.kills(), victim, role(controllerRole), led, format(firstAckMs), format(firstNewAckMs), target,
            newLeader);

        final long restartNs = System.nanoTime();
        cluster.restart(victim);
        awaitWhole(client);
        final double backInIsrMs = millis(System.nanoTime(), restartNs);
        window = null;
        progress("kill %d/%d: broker %d back in every ISR %.1f s after its restart", number, settings.kills(),
            victim, backInIsrMs / 1000.0);
        awaitPreferredLeaders(client);
        unexpectedChangeNotes.addAll(watch(client, settings.settleNs(), "after kill " + number));
        return new Kill(number, led.toString(), victim, controllerRole, newLeader, firstAckMs, firstNewAckMs,
            backInIsrMs, kill.errors.get());
    }

    /**
     * Every third kill the controller quorum's leader, the others its followers in turn; always a broker that leads
     * a partition (with one partition, its leader).
     */
    private int chooseVictim(final SluiceCluster cluster, final TopicDescription description, final int number)
    {
        final List<Integer> leaders = new ArrayList<>();
        for (final TopicDescription.PartitionDescription partition : description.partitions())
        {
            if (!leaders.contains(partition.leader()))
            {
                leaders.add(partition.leader());
            }
        }
        leaders.sort(Integer::compare);
        final List<Integer> wanted = new ArrayList<>();
        final boolean killQuorumLeader = 0 == number % 3;
        for (final int leader : leaders)
        {
            final boolean quorumLeader =
                SluiceBrokerProcess.CONTROLLER_LEADER == cluster.member(leader).controllerRole();
            if (quorumLeader == killQuorumLeader)
            {
                wanted.add(leader);
            }
        }
        final List<Integer> candidates = wanted.isEmpty() ? leaders : wanted;
        return candidates.get(followerTurn++ % candidates.size());
    }

    private void onResult(final SendResult<Sent> result)
    {
        final long nowNs = System.nanoTime();
        final KillWindow kill = window;
        if (result.isSuccess())
        {
            final Sent record = result.correlationMetadata();
            acknowledged.put(record.sequence, new long[]{ result.partition(), result.offset() });
            if (null != kill && kill.affected[result.partition()])
            {
                kill.onAck(nowNs, record.sentNs);
            }
        }
        else
        {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, result.exception());
            if (null != kill)
            {
                kill.errors.incrementAndGet();
            }
        }
        outstanding.decrementAndGet();
    }

    /**
     * The sending application: record i is emitted at {@code start + i / rate}, never waiting for the producer.
     */
    private void pace(final Sinks.Many<ProducerRecord<byte[], byte[], Sent>> records)
    {
        final long startNs = System.nanoTime();
        final double intervalNs = TimeUnit.SECONDS.toNanos(1) / (double)settings.rate();
        long sequence = 0;
        while (sending)
        {
            final long dueNs = startNs + (long)(sequence * intervalNs);
            final long waitNs = dueNs - System.nanoTime();
            if (waitNs > 0)
            {
                LockSupport.parkNanos(waitNs);
                continue;
            }
            final byte[] value = new byte[RECORD_SIZE];
            ByteBuffer.wrap(value).putLong(0, sequence);
            outstanding.incrementAndGet();
            final Sinks.EmitResult result = records.tryEmitNext(
                new ProducerRecord<>(TOPIC, null, null, null, value, new Sent(sequence, System.nanoTime())));
            if (result.isFailure())
            {
                outstanding.decrementAndGet();
                firstFailure.compareAndSet(null, new IllegalStateException("the sink refused a record: " + result));
                break;
            }
            sequence++;
        }
        sent = sequence;
        records.tryEmitComplete();
    }

    private void createTopic(final SluiceClient client) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                client.admin().createTopic(TOPIC, settings.partitions(), REPLICATION_FACTOR,
                    Map.of("min.insync.replicas", Integer.toString(MIN_INSYNC_REPLICAS))).block(ADMIN_TIMEOUT);
                return;
            }
            catch (final RuntimeException ex)
            {
                // no quorum yet: the controller answers once a leader is elected
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the cluster did not create the topic in 60 s: " + ex, ex);
                }
                Thread.sleep(200);
            }
        }
    }

    private void awaitWhole(final SluiceClient client) throws InterruptedException
    {
        SluiceCluster.awaitTopic(() -> describe(client), settings.partitions(), REPLICATION_FACTOR,
            REJOIN_TIMEOUT_NS);
    }

    /**
     * A restarted broker takes back the partitions it is the preferred (first) replica of; wait for that, so that
     * the move is not taken for a false failover.
     */
    private void awaitPreferredLeaders(final SluiceClient client) throws InterruptedException
    {
        if (null == SluiceCluster.awaitPreferredLeaders(() -> describe(client), PREFERRED_LEADER_TIMEOUT_NS))
        {
            progress("the preferred leaders did not all lead again within %d s",
                TimeUnit.NANOSECONDS.toSeconds(PREFERRED_LEADER_TIMEOUT_NS));
        }
    }

    /**
     * Watch the cluster while nothing is killed: a leader change or an ISR change is unexpected.
     *
     * @return what changed, one note each; empty if nothing did.
     */
    private List<String> watch(final SluiceClient client, final long durationNs, final String when)
        throws InterruptedException
    {
        final List<String> notes = new ArrayList<>();
        final long endNs = System.nanoTime() + durationNs;
        TopicDescription last = null;
        while (System.nanoTime() - endNs < 0)
        {
            final TopicDescription now;
            try
            {
                now = describe(client);
            }
            catch (final RuntimeException ex)
            {
                note(notes, when + ": the topic could not be described: " + ex);
                Thread.sleep(POLL_MS);
                continue;
            }
            for (final TopicDescription.PartitionDescription partition : now.partitions())
            {
                final TopicDescription.PartitionDescription earlier =
                    null == last ? null : last.partitions().get(partition.partition());
                if (null == earlier ? partition.isr().size() < REPLICATION_FACTOR :
                    partition.leaderEpoch() != earlier.leaderEpoch() || partition.leader() != earlier.leader() ||
                    !partition.isr().equals(earlier.isr()))
                {
                    note(notes, when + ": partition " + partition.partition() + " leader " +
                        (null == earlier ? "?" : earlier.leader() + " (epoch " + earlier.leaderEpoch() + ")") +
                        " -> " + partition.leader() + " (epoch " + partition.leaderEpoch() + "), ISR " +
                        partition.isr());
                }
            }
            last = now;
            Thread.sleep(POLL_MS);
        }
        return notes;
    }

    /**
     * Right after start the cluster is not yet steady on this machine (three JVMs compiling on two cores: controller
     * sessions are lost and leaders move, whatever the timeouts); wait until a whole settle period passes without a
     * change, for at most {@link #QUIET_TIMEOUT_NS}. What changed meanwhile is reported apart, as start-up changes.
     */
    private void awaitQuiet(final SluiceClient client) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + QUIET_TIMEOUT_NS;
        List<String> notes;
        do
        {
            notes = watch(client, settings.settleNs(), "at start-up");
            startupChangeNotes.addAll(notes);
            if (!notes.isEmpty())
            {
                awaitWhole(client);
                awaitPreferredLeaders(client);
            }
        }
        while (!notes.isEmpty() && System.nanoTime() - deadlineNs < 0);
    }

    private void note(final List<String> notes, final String note)
    {
        notes.add(note);
        progress("unexpected: %s", note);
    }

    private History readBack(final SluiceClient client) throws InterruptedException
    {
        final TopicDescription end = describe(client);
        final Map<Integer, List<long[]>> logs = new HashMap<>();
        final TopicPartition[] assignment = new TopicPartition[settings.partitions()];
        ConsumerOptions<byte[], byte[]> options = ConsumerOptions.create(
            Serdes.bytesDeserializer(), Serdes.bytesDeserializer());
        for (int p = 0; p < settings.partitions(); p++)
        {
            assignment[p] = new TopicPartition(TOPIC, p);
            options = options.withSeek(assignment[p], ConsumerOptions.BEGINNING);
            logs.put(p, new ArrayList<>());
        }
        final AtomicLong read = new AtomicLong();
        final Disposable reader = client.consumer(options.withAssignment(assignment))
            .receiveAutoAck()
            .subscribe((ConsumerRecord<byte[], byte[]> record) ->
            {
                final List<long[]> log = logs.get(record.partition());
                synchronized (log)
                {
                    log.add(new long[]{ record.offset(), ByteBuffer.wrap(record.value()).getLong(0) });
                }
                read.incrementAndGet();
            }, (error) -> firstFailure.compareAndSet(null, error));
        long expected = 0;
        for (final TopicDescription.PartitionDescription partition : end.partitions())
        {
            expected += partition.highWatermark() - partition.logStartOffset();
        }
        final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (read.get() < expected && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(10);
        }
        Thread.sleep(500); // anything past the high watermark described arrives too
        reader.dispose();
        if (read.get() < expected)
        {
            progress("read %,d of the %,d records below the high watermarks", read.get(), expected);
        }

        long lost = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long notAcknowledged = 0;
        long inLog = 0;
        for (int p = 0; p < settings.partitions(); p++)
        {
            final List<long[]> log = logs.get(p);
            final Map<Long, Long> byOffset = new HashMap<>();
            final Map<Long, Integer> copies = new HashMap<>();
            long latestSent = -1;
            synchronized (log)
            {
                inLog += log.size();
                for (final long[] record : log)
                {
                    byOffset.put(record[0], record[1]);
                    copies.merge(record[1], 1, Integer::sum);
                    if (acknowledged.containsKey(record[1]))
                    {
                        if (record[1] < latestSent)
                        {
                            outOfOrder++;
                        }
                        latestSent = Math.max(latestSent, record[1]);
                    }
                    else
                    {
                        notAcknowledged++;
                    }
                }
            }
            for (final Map.Entry<Long, long[]> ack : acknowledged.entrySet())
            {
                if (ack.getValue()[0] != p)
                {
                    continue;
                }
                if (!ack.getKey().equals(byOffset.get(ack.getValue()[1])))
                {
                    lost++;
                }
                if (copies.getOrDefault(ack.getKey(), 0) > 1)
                {
                    duplicated++;
                }
            }
        }
        return new History(sent, acknowledged.size(), failed.get(), inLog, lost, duplicated, outOfOrder,
            notAcknowledged);
    }

    private String report(final Instant startedAt, final List<Kill> kills, final History history)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream report = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            report.printf(Locale.ROOT, "sluice perf %s%n", settings.command());
            report.printf(Locale.ROOT, "started %s; %d Sluice brokers in cluster mode, each in a child JVM (%s), " +
                "controller.session.timeout.ms=%d, segment.bytes %s; topic with %d partition(s), replication " +
                "factor %d, min.insync.replicas %d%n", startedAt, BROKERS, String.join(" ", SluiceCluster.JVM_FLAGS),
                settings.sessionTimeoutMs(), 0 == settings.segmentBytes() ? "default" : settings.segmentBytes(),
                settings.partitions(), REPLICATION_FACTOR, MIN_INSYNC_REPLICAS);
            report.printf(Locale.ROOT, "producer: reactive client, acks=all, idempotent, %,d records/s of %d B, " +
                "brokerTimeout %d ms; kill k: SIGKILL the leader of partition (k-1) mod partitions, time from the " +
                "kill to the first ack (of its partitions) received after its JVM was gone and to the first ack " +
                "of a record sent after that; restart it on its data and ports, wait for the full ISR and its " +
                "preferred leadership, watch %s%n",
                settings.rate(), RECORD_SIZE, settings.brokerTimeoutMs(), seconds(settings.settleNs()));
            report.println(ResultTables.machineLine());
            report.println();
            report.printf(Locale.ROOT, "  %4s %6s %10s %10s %10s %15s %25s %15s %6s%n", "kill", "broker",
                "controller", "led", "new leader", "first ack (ms)", "first new-record ack (ms)", "back in ISR (s)",
                "errors");
            for (final Kill kill : kills)
            {
                report.printf(Locale.ROOT, "  %4d %6d %10s %10s %10d %15s %25s %15.1f %6d%n", kill.number(),
                    kill.broker(), role(kill.controllerRole()), kill.partitions(), kill.newLeader(),
                    format(kill.firstAckMs()), format(kill.firstNewAckMs()), kill.backInIsrMs() / 1000.0,
                    kill.errors());
            }
            for (final String group : new String[]{ "all", "leader", "follower" })
            {
                final List<Kill> selected = select(kills, group);
                if (selected.isEmpty())
                {
                    continue;
                }
                final String label = "all".equals(group) ? "all " + selected.size() + " kills" :
                    selected.size() + " of the controller's " + group;
                final double[] firstAcks = measured(selected, true);
                final double[] firstNewAcks = measured(selected, false);
                report.printf(Locale.ROOT, "  %-45s %15s %25s%n", label + ": p50 (nearest rank)",
                    format(p50(firstAcks)), format(p50(firstNewAcks)));
                report.printf(Locale.ROOT, "  %-45s %15s %25s%n", label + ": max", format(max(firstAcks)),
                    format(max(firstNewAcks)));
            }
            final double[] firstNewAcks = measured(kills, false);
            if (firstNewAcks.length < kills.size())
            {
                report.printf(Locale.ROOT, "  %d kill(s) did not recover within %d s%n",
                    kills.size() - firstNewAcks.length, TimeUnit.NANOSECONDS.toSeconds(RECOVERY_TIMEOUT_NS));
            }
            report.println();
            report.printf(Locale.ROOT, "records: %,d sent, %,d acknowledged, %,d failed; read back from the start: " +
                "%,d in the log, %,d lost, %,d duplicated, %,d out of order, %,d in the log but not acknowledged%n",
                history.sent(), history.acknowledged(), history.failed(), history.inLog(), history.lost(),
                history.duplicated(), history.outOfOrder(), history.notAcknowledged());
            report.printf(Locale.ROOT, "unexpected leader or ISR changes while no broker was down, after the cluster " +
                "was steady (false failovers): %d%n", unexpectedChangeNotes.size());
            for (final String note : unexpectedChangeNotes)
            {
                report.println("  " + note);
            }
            report.printf(Locale.ROOT, "changes at start-up, before %s passed without one (not counted above): %d%n",
                seconds(settings.settleNs()), startupChangeNotes.size());
            for (final String note : startupChangeNotes)
            {
                report.println("  " + note);
            }
            if (null != firstFailure.get())
            {
                report.println("first failure: " + firstFailure.get());
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private ObjectNode summary(final Instant startedAt, final List<Kill> kills, final History history)
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("run", settings.runDirectory().getName());
        root.put("command", "sluice perf " + settings.command());
        root.put("startedAt", startedAt.toString());
        root.put("mode", "failover");
        final ObjectNode workload = root.putObject("workload");
        workload.put("kills", settings.kills());
        workload.put("rate", settings.rate());
        workload.put("size", RECORD_SIZE);
        workload.put("partitions", settings.partitions());
        workload.put("replicationFactor", REPLICATION_FACTOR);
        workload.put("minInsyncReplicas", MIN_INSYNC_REPLICAS);
        workload.put("acks", "all");
        workload.put("sessionTimeoutMs", settings.sessionTimeoutMs());
        workload.put("brokerTimeoutMs", settings.brokerTimeoutMs());
        workload.put("segmentBytes", settings.segmentBytes());
        workload.put("settleSeconds", settings.settleNs() / 1e9);
        final ObjectNode machine = root.putObject("machine");
        machine.put("java", System.getProperty("java.version"));
        machine.put("vm", System.getProperty("java.vm.name"));
        machine.put("os", System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        final ArrayNode killArray = root.putArray("kills");
        for (final Kill kill : kills)
        {
            final ObjectNode node = killArray.addObject();
            node.put("kill", kill.number());
            node.put("partitions", kill.partitions());
            node.put("broker", kill.broker());
            node.put("controllerRole", role(kill.controllerRole()));
            node.put("newLeader", kill.newLeader());
            node.put("firstAckMs", kill.firstAckMs());
            node.put("firstNewRecordAckMs", kill.firstNewAckMs());
            node.put("backInIsrMs", kill.backInIsrMs());
            node.put("errors", kill.errors());
        }
        for (final String group : new String[]{ "all", "leader", "follower" })
        {
            final List<Kill> selected = select(kills, group);
            final String prefix = "all".equals(group) ? "" : "controller" + Character.toUpperCase(group.charAt(0)) +
                group.substring(1);
            final double[] firstAcks = measured(selected, true);
            final double[] firstNewAcks = measured(selected, false);
            root.putObject(prefix.isEmpty() ? "firstAckMs" : prefix + "FirstAckMs")
                .put("p50", p50(firstAcks)).put("max", max(firstAcks)).put("count", firstAcks.length);
            root.putObject(prefix.isEmpty() ? "firstNewRecordAckMs" : prefix + "FirstNewRecordAckMs")
                .put("p50", p50(firstNewAcks)).put("max", max(firstNewAcks)).put("count", firstNewAcks.length);
        }
        final ObjectNode records = root.putObject("records");
        records.put("sent", history.sent());
        records.put("acknowledged", history.acknowledged());
        records.put("failed", history.failed());
        records.put("inLog", history.inLog());
        records.put("lost", history.lost());
        records.put("duplicated", history.duplicated());
        records.put("outOfOrder", history.outOfOrder());
        records.put("notAcknowledged", history.notAcknowledged());
        root.put("unexpectedChanges", unexpectedChangeNotes.size());
        final ArrayNode notes = root.putArray("unexpectedChangeNotes");
        unexpectedChangeNotes.forEach(notes::add);
        root.put("startupChanges", startupChangeNotes.size());
        final ArrayNode startupNotes = root.putArray("startupChangeNotes");
        startupChangeNotes.forEach(startupNotes::add);
        return root;
    }

    /**
     * @param group {@code all}, or the killed broker's role in the controller quorum: {@code leader} or
     *              {@code follower}.
     */
    private static List<Kill> select(final List<Kill> kills, final String group)
    {
        return kills.stream().filter((kill) -> "all".equals(group) || group.equals(role(kill.controllerRole())))
            .toList();
    }

    private static double[] measured(final List<Kill> kills, final boolean firstAck)
    {
        return kills.stream()
            .mapToDouble((kill) -> firstAck ? kill.firstAckMs() : kill.firstNewAckMs())
            .filter((ms) -> ms >= 0)
            .toArray();
    }

    private static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(-1);
    }

    private static TopicDescription describe(final SluiceClient client)
    {
        return client.admin().describeTopic(TOPIC).block(ADMIN_TIMEOUT);
    }

    private static String leaders(final TopicDescription description)
    {
        final StringBuilder leaders = new StringBuilder();
        for (final TopicDescription.PartitionDescription partition : description.partitions())
        {
            leaders.append(leaders.length() > 0 ? "," : "").append(partition.leader());
        }
        return leaders.toString();
    }

    private static String role(final int controllerRole)
    {
        return switch (controllerRole)
        {
            case SluiceBrokerProcess.CONTROLLER_LEADER -> "leader";
            case 1 -> "candidate";
            case 0 -> "follower";
            default -> "?";
        };
    }

    private static double millis(final long endNs, final long startNs)
    {
        return 0 == endNs ? -1 : (endNs - startNs) / 1e6;
    }

    private static String format(final double ms)
    {
        return ms < 0 ? "-" : String.format(Locale.ROOT, "%,.1f", ms);
    }

    private static String seconds(final long ns)
    {
        return String.format(Locale.ROOT, "%.3g s", ns / 1e9);
    }

    private void progress(final String format, final Object... args)
    {
        err.println("failover: " + String.format(Locale.ROOT, format, args));
    }

    /**
     * A record's sequence and when the application emitted it.
     */
    private record Sent(long sequence, long sentNs)
    {
    }

    /**
     * One kill, from the SIGKILL until the broker is back: filled in by the client's thread.
     */
    private static final class KillWindow
    {
        private final boolean[] affected;
        private final AtomicLong firstAckNs = new AtomicLong();
        private final AtomicLong firstNewAckNs = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private volatile long killNs;
        /** When the killed JVM was seen gone; 0 until then. */
        private volatile long deadNs;

        KillWindow(final boolean[] affected)
        {
            this.affected = affected;
        }

        void onAck(final long nowNs, final long sentNs)
        {
            final long dead = deadNs;
            if (0 != dead && nowNs - dead > 0)
            {
                firstAckNs.compareAndSet(0, nowNs);
                if (sentNs - dead > 0)
                {
                    firstNewAckNs.compareAndSet(0, nowNs);
                }
            }
        }
    }
}

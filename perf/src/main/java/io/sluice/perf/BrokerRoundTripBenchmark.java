package io.sluice.perf;

import io.sluice.broker.SluiceBroker;
import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One produce round trip through a broker in this JVM: {@link ClientConnection#offerProduce} of a one-record batch
 * (100-byte value, acks=1), then {@link ClientConnection#poll} until its response arrives. The client's offer and
 * poll, the broker's request decode, validation, append to the mapped segment and response encode, and Aeron
 * between them (IPC, or UDP loopback through the broker's media driver), all in one operation.
 * <p>
 * The point is {@code gc.alloc.rate.norm} ({@code -prof gc}, added by {@code sluice perf jmh}): JMH sums the
 * allocation of every thread of the fork, so it covers the broker agent and the media driver as well as the client,
 * and reads 0 B/op only if the whole path allocates nothing in steady state. The time per operation is a closed-loop
 * round trip on a 2-core machine with the broker, the driver and the benchmark thread sharing it; the latency
 * harness ({@code sluice perf latency}) is the measure of latency.
 * <p>
 * The broker runs its latency profile (yielding idle strategy) with segments pre-touched; its data directory is
 * deleted at tear-down. With {@code security=scram-acls} the client authenticates with SCRAM-SHA-256 and the broker
 * checks every produce against the ACLs (the user is no super user: an ACL allows its writes), so the measure covers
 * the authorization check on the hot path too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    ForkFlags.OPEN_JDK_INTERNAL_MISC, ForkFlags.OPEN_JAVA_UTIL_ZIP, ForkFlags.OPEN_JAVA_NIO, ForkFlags.OPEN_SUN_NIO_CH,
    ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX })
public class BrokerRoundTripBenchmark
{
    private static final int VALUE_LENGTH = 100;
    private static final int BATCH_CAPACITY = 1024;
    private static final int FRAGMENT_LIMIT = 16;

    /** How the client reaches the broker. */
    @Param({ "ipc", "udp" })
    public String transport;

    /** {@code none}, or {@code scram-acls}: an authenticated user whose writes an ACL allows. */
    @Param({ "none", "scram-acls" })
    public String security;

    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final Responses responses = new Responses();
    private File directory;
    private SluiceBroker broker;
    private ClientConnection connection;
    private UnsafeBuffer batch;
    private int batchLength;
    private int topicId;
    private long correlationId;

    /**
     * Start the broker, connect, create the topic and build the batch sent by every operation.
     *
     * @throws Exception if the broker cannot start.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        directory = Files.createTempDirectory(PerfFiles.parentDirectory().toPath(), "sluice-jmh-broker-").toFile();
        final boolean secured = "scram-acls".equals(security);
        final SluiceBroker.Context context = new SluiceBroker.Context()
            .dataDirectory(new File(directory, "data"))
            .listen("127.0.0.1:0")
            .idleProfile(SluiceBroker.IdleProfile.YIELDING)
            .clientTermLength(16 * 1024 * 1024)
            .logDefault(LogConfig.PRETOUCH_BYTES, String.valueOf(64 * 1024 * 1024));
        if (secured)
        {
            final File credentials = new File(directory, "credentials");
            final java.security.SecureRandom random = new java.security.SecureRandom();
            io.sluice.transport.auth.CredentialsFile.write(credentials.toPath(), Map.of(
                "admin", io.sluice.transport.auth.ScramCredential.create("admin-password".toCharArray(),
                    io.sluice.transport.auth.ScramCredential.MIN_ITERATIONS, random),
                "bench", io.sluice.transport.auth.ScramCredential.create("bench-password".toCharArray(),
                    io.sluice.transport.auth.ScramCredential.MIN_ITERATIONS, random)));
            context.authentication(SluiceBroker.Authentication.SCRAM_SHA_256).credentialsFile(credentials)
                .authorization(true).superUsers(java.util.Set.of("admin"));
        }
        broker = SluiceBroker.launch(context);
        if (secured)
        {
            try (ClientConnection admin = connect("admin"))
            {
                topicId = admin.createTopic("jmh-round-trip", 1, 1, Map.of());
                admin.addAcl(new io.sluice.transport.AclEntry("bench", io.sluice.codecs.client.AclResourceType.TOPIC,
                    io.sluice.codecs.client.AclPatternType.LITERAL, "jmh-round-trip",
                    io.sluice.codecs.client.AclOperation.WRITE));
            }
            connection = connect("bench");
        }
        else
        {
            connection = connect(null);
            topicId = connection.createTopic("jmh-round-trip", 1, 1, Map.of());
        }

        batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BATCH_CAPACITY, 64));
        final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        builder.wrap(batch, 0, BATCH_CAPACITY);
        builder.append(System.currentTimeMillis(), null, 0, 0, value, 0, VALUE_LENGTH);
        batchLength = builder.build();
    }

    private ClientConnection connect(final String user)
    {
        final ClientConnection.Context context = new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .ipc("ipc".equals(transport))
            .termLength(16 * 1024 * 1024);
        if (null != user)
        {
            context.credentials(user, (user + "-password").toCharArray());
        }
        return ClientConnection.connect(context);
    }

    /**
     * Close the connection and the broker, and delete the broker's files.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.quietCloseAll(connection, broker);
        if (null != directory)
        {
            IoUtil.delete(directory, true);
        }
    }

    /**
     * Offer one produce request and poll until its response is in.
     *
     * @return the base offset the broker gave the record.
     */
    @Benchmark
    public long produceRoundTrip()
    {
        final long id = ++correlationId;
        while (connection.offerProduce(id, topicId, 0, Acks.LEADER, batch, 0, batchLength) < 0)
        {
            connection.poll(responses, FRAGMENT_LIMIT);
        }
        final Responses responses = this.responses;
        while (responses.correlationId != id)
        {
            if (0 == connection.poll(responses, FRAGMENT_LIMIT))
            {
                Thread.onSpinWait();
            }
        }
        if (ErrorCode.NONE != responses.errorCode)
        {
            throw new IllegalStateException("produce failed: " + responses.errorCode);
        }
        return responses.baseOffset;
    }

    /** The last produce response. */
    static final class Responses implements ClientResponseListener
    {
        long correlationId;
        ErrorCode errorCode;
        long baseOffset;

        public void onProduceResponse(
            final long correlationId,
            final int topicId,
            final int partition,
            final ErrorCode errorCode,
            final long baseOffset,
            final long logStartOffset,
            final String errorMessage)
        {
            this.errorCode = errorCode;
            this.baseOffset = baseOffset;
            this.correlationId = correlationId;
        }
    }
}

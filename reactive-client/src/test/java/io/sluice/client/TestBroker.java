package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import io.sluice.engine.LogConfig;
import io.sluice.transport.controller.ControllerNode;

import java.io.File;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * A broker for the client's tests: loopback on a free port, its own embedded driver with small terms, small
 * segments; clients share its driver (over UDP loopback) to keep tests light.
 */
public final class TestBroker
{
    static final int TERM_LENGTH = 1024 * 1024;

    private TestBroker()
    {
    }

    public static SluiceBroker launch(final File dataDirectory)
    {
        return launch(dataDirectory, "127.0.0.1:0");
    }

    static SluiceBroker launch(final File dataDirectory, final String listen)
    {
        return SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .listen(listen)
            .clientTermLength(TERM_LENGTH)
            .clientTimeout(5, TimeUnit.SECONDS)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
    }

    /**
     * A member of a cluster: the broker and its controller member, with the short timeouts the failover tests use.
     *
     * @param dataDirectory of this broker.
     * @param brokerId      its id in {@code cluster}.
     * @param cluster       {@code ID@HOST:PORT,...}.
     * @return the context to launch.
     */
    static SluiceBroker.Context clusterContext(final File dataDirectory, final int brokerId, final String cluster)
    {
        return new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .brokerId(brokerId)
            .cluster(cluster)
            .clientTermLength(TERM_LENGTH)
            .clientTimeout(5, TimeUnit.SECONDS)
            .replicationTermLength(256 * 1024)
            .replicaLagTimeMax(1500, TimeUnit.MILLISECONDS)
            .replicaHeartbeatInterval(50, TimeUnit.MILLISECONDS)
            .replicaAckTimeout(10, TimeUnit.SECONDS)
            .controllerSessionTimeout(1, TimeUnit.SECONDS)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0");
    }

    /**
     * @param size of the cluster.
     * @return {@code [0]} the cluster's members ({@code ID@127.0.0.1:PORT,...}) on free loopback port blocks,
     * {@code [1]} the same addresses as a client's bootstrap list.
     */
    static String[] loopbackCluster(final int size)
    {
        final StringJoiner members = new StringJoiner(",");
        final StringJoiner bootstrap = new StringJoiner(",");
        for (int i = 0; i < size; i++)
        {
            final int port = ControllerNode.Ports.freeLoopbackBlock();
            members.add(i + "@127.0.0.1:" + port);
            bootstrap.add("127.0.0.1:" + port);
        }
        return new String[]{ members.toString(), bootstrap.toString() };
    }

    /**
     * Options for a client of a cluster: its own embedded driver (so that stopping any broker leaves it running)
     * and a 1 s broker timeout.
     *
     * @param bootstrap the brokers' addresses.
     * @return the options.
     */
    static ClientOptions clusterClientOptions(final String bootstrap)
    {
        return ClientOptions.create(bootstrap)
            .withTermLength(TERM_LENGTH)
            .withBrokerTimeout(Duration.ofSeconds(1))
            .withRequestTimeout(Duration.ofSeconds(10));
    }

    public static ClientOptions options(final SluiceBroker broker)
    {
        return ClientOptions.create(broker.listenEndpoint())
            .withAeronDirectoryName(broker.aeronDirectoryName())
            .withTermLength(TERM_LENGTH)
            .withRequestTimeout(Duration.ofSeconds(10));
    }
}

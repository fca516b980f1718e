package io.sluice.transport.controller;

import java.util.Objects;

/**
 * A registered broker: where clients and other brokers reach it, and whether it is alive (holds a controller
 * session) or fenced.
 *
 * @param nodeId          the broker's id in the cluster.
 * @param incarnationId   random per process start, so a restart is told from a reconnection.
 * @param alive           false once its session closed or timed out, until it registers again.
 * @param host            for clients and replication.
 * @param clientPort      the client protocol port.
 * @param replicationPort the port followers and leaders exchange records on.
 */
public record BrokerInfo(int nodeId, long incarnationId, boolean alive, String host, int clientPort,
    int replicationPort) implements MetadataRecord
{
    public BrokerInfo
    {
        Objects.requireNonNull(host, "host");
    }

    BrokerInfo withAlive(final boolean alive)
    {
        return new BrokerInfo(nodeId, incarnationId, alive, host, clientPort, replicationPort);
    }
}

package io.sluice.broker;

import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;

/**
 * The broker's counters, published as Aeron counters in the media driver's CnC file so that operators read them
 * with Aeron's {@code AeronStat} like any other Aeron counter (type ids 1200 and up). Written by the broker agent
 * only.
 */
final class BrokerCounters implements AutoCloseable
{
    /** Type id of the first broker counter; each counter has its own. */
    static final int TYPE_ID_BASE = 1200;

    final Counter connections;
    final Counter requests;
    final Counter producedRecords;
    final Counter producedBytes;
    final Counter fetchedBytes;
    final Counter errorResponses;
    final Counter malformedFrames;
    final Counter unconnectedRequests;
    final Counter clientTimeouts;
    final Counter backPressureEvents;
    final Counter refusedConnections;
    final Counter throttledRequests;
    final Counter authentications;
    final Counter authenticationFailures;
    final Counter unauthenticatedRequests;
    final Counter deniedRequests;

    BrokerCounters(final Aeron aeron, final int brokerId)
    {
        final String prefix = "sluice broker " + brokerId + ": ";
        connections = aeron.addCounter(TYPE_ID_BASE, prefix + "client connections");
        requests = aeron.addCounter(TYPE_ID_BASE + 1, prefix + "requests");
        producedRecords = aeron.addCounter(TYPE_ID_BASE + 2, prefix + "records appended");
        producedBytes = aeron.addCounter(TYPE_ID_BASE + 3, prefix + "bytes appended");
        fetchedBytes = aeron.addCounter(TYPE_ID_BASE + 4, prefix + "bytes fetched");
        errorResponses = aeron.addCounter(TYPE_ID_BASE + 5, prefix + "error responses");
        malformedFrames = aeron.addCounter(TYPE_ID_BASE + 6, prefix + "malformed frames");
        unconnectedRequests = aeron.addCounter(TYPE_ID_BASE + 7, prefix + "requests from unconnected clients");
        clientTimeouts = aeron.addCounter(TYPE_ID_BASE + 8, prefix + "clients timed out");
        backPressureEvents = aeron.addCounter(TYPE_ID_BASE + 9, prefix + "responses back-pressured");
        refusedConnections = aeron.addCounter(TYPE_ID_BASE + 10, prefix + "connections refused (max.connections)");
        throttledRequests = aeron.addCounter(TYPE_ID_BASE + 11, prefix + "requests held back by a quota");
        authentications = aeron.addCounter(TYPE_ID_BASE + 12, prefix + "clients authenticated");
        authenticationFailures = aeron.addCounter(TYPE_ID_BASE + 13, prefix + "authentications failed");
        unauthenticatedRequests = aeron.addCounter(TYPE_ID_BASE + 14, prefix +
            "requests refused before authentication");
        deniedRequests = aeron.addCounter(TYPE_ID_BASE + 15, prefix + "requests denied by the ACLs");
    }

    public void close()
    {
        CloseHelper.closeAll(connections, requests, producedRecords, producedBytes, fetchedBytes, errorResponses,
            malformedFrames, unconnectedRequests, clientTimeouts, backPressureEvents, refusedConnections,
            throttledRequests, authentications, authenticationFailures, unauthenticatedRequests,
            deniedRequests);
    }
}

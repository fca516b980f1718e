package io.sluice.broker;

import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.client.GroupResponseDecoder;
import io.sluice.codecs.client.GroupState;
import io.sluice.codecs.client.JoinGroupResponseDecoder;
import io.sluice.codecs.client.MessageHeaderDecoder;
import io.sluice.codecs.client.SyncGroupResponseDecoder;
import io.sluice.engine.LogManager;
import io.sluice.engine.PartitionLog;
import io.sluice.transport.ClientResponseProxy;
import io.sluice.transport.GroupDescription;
import io.sluice.transport.PartitionRef;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator driven request by request with a virtual clock: generations, rebalances, timeouts, the
 * hand-over rules of eager and cooperative assignors, and commit fencing. Nothing here waits for real time.
 */
class GroupCoordinatorTest
{
    private static final short RANGE = 0;
    private static final short COOPERATIVE_STICKY = 2;
    private static final int SESSION_MS = 6_000;
    private static final int REBALANCE_MS = 20_000;

    @TempDir
    File data;

    private LogManager logManager;
    private GroupCoordinator coordinator;
    private final TopicRegistry topics = new TopicRegistry();
    private final ClientResponseProxy proxy = new ClientResponseProxy();
    private final List<Answer> answers = new ArrayList<>();
    private final ClientSession client1 = session(1);
    private final ClientSession client2 = session(2);
    private final ClientSession client3 = session(3);
    private long nowNs = 1_000_000_000L;
    private long correlationId = 1;

    /** One decoded answer: join (memberId, generation), sync (generation, assignment) or group (generation). */
    record Answer(
        String type, ClientSession session, long correlationId, ErrorCode code, int generation, String memberId,
        List<PartitionRef> assignment)
    {
    }

    @BeforeEach
    void setUp()
    {
        logManager = LogManager.open(new LogManager.Context()
            .dataDirectory(data)
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER));
        final List<PartitionLog> logs = logManager.createTopic("orders", 4, Map.of());
        topics.add("orders", logs, logManager.topicConfig("orders"));
        coordinator = new GroupCoordinator(proxy, this::capture, topics, new GroupOffsets(logManager), "test");
    }

    @AfterEach
    void tearDown()
    {
        logManager.close();
    }

    @Test
    void shouldFormAGenerationWithDisjointAssignmentsWhenEveryMemberHasRejoined()
    {
        final String m1 = joinAlone(client1, RANGE);
        assertEquals(List.of(p(0), p(1), p(2), p(3)), sync(client1, m1, 1).assignment());

        final long join2 = join(client2, "", RANGE, Set.of());
        assertEquals(0, answers.size(), "the join waits for the other member");
        assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, heartbeat(client1, m1, 1).code());
        join(client1, m1, RANGE, Set.of());
        final Answer joined1 = answer(client1);
        final Answer joined2 = answer(client2);
        assertEquals(join2, joined2.correlationId());
        assertEquals(2, joined1.generation());
        assertEquals(2, joined2.generation());

        final Answer sync1 = sync(client1, m1, 2);
        assertEquals(GroupState.COMPLETING_REBALANCE, coordinator.describe("g").state());
        final Answer sync2 = sync(client2, joined2.memberId(), 2);
        assertEquals(GroupState.STABLE, coordinator.describe("g").state());
        final Set<PartitionRef> all = new HashSet<>(sync1.assignment());
        all.addAll(sync2.assignment());
        assertEquals(4, sync1.assignment().size() + sync2.assignment().size());
        assertEquals(Set.of(p(0), p(1), p(2), p(3)), all);
        assertEquals(ErrorCode.NONE, heartbeat(client2, joined2.memberId(), 2).code());
    }

    @Test
    void shouldRemoveAMemberThatDoesNotRejoinWhenTheRebalanceTimeoutPasses()
    {
        final String m1 = joinAlone(client1, RANGE);
        sync(client1, m1, 1);
        join(client2, "", RANGE, Set.of());

        final long deadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(REBALANCE_MS);
        while (nowNs < deadlineNs - 1_000_000_000L)
        {
            nowNs += 1_000_000_000L;
            assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, heartbeat(client1, m1, 1).code()); // alive, not rejoining
            coordinator.onTimer(nowNs);
        }
        nowNs = deadlineNs - 1;
        coordinator.onTimer(nowNs);
        assertEquals(0, answers.size(), "still waiting just before the timeout");
        nowNs = deadlineNs;
        coordinator.onTimer(nowNs);
        final Answer joined2 = answer(client2);
        assertEquals(2, joined2.generation());
        assertEquals(List.of(p(0), p(1), p(2), p(3)), sync(client2, joined2.memberId(), 2).assignment());
        assertEquals(ErrorCode.UNKNOWN_MEMBER, heartbeat(client1, m1, 1).code());
        assertEquals(ErrorCode.UNKNOWN_MEMBER, coordinator.checkCommit("g", m1, 1, "orders", 0));
    }

    @Test
    void shouldRemoveASilentMemberWhenItsSessionTimesOut()
    {
        final String m1 = joinAlone(client1, RANGE);
        sync(client1, m1, 1);
        nowNs += TimeUnit.MILLISECONDS.toNanos(SESSION_MS);
        coordinator.onTimer(nowNs);
        assertEquals(1, coordinator.describe("g").members().size(), "exactly at the timeout it stays");
        nowNs += TimeUnit.MILLISECONDS.toNanos(1);
        coordinator.onTimer(nowNs);
        assertNull(coordinator.describe("g"), "no members and no offsets left");
        assertEquals(ErrorCode.UNKNOWN_MEMBER, heartbeat(client1, m1, 1).code());
    }

    @Test
    void shouldRemoveTheMembersOfAConnectionWhenItCloses()
    {
        final String m1 = joinAlone(client1, RANGE);
        sync(client1, m1, 1);
        join(client2, "", RANGE, Set.of());
        coordinator.onSessionClosed(client1, nowNs);
        final Answer joined2 = answer(client2);
        assertEquals(List.of(p(0), p(1), p(2), p(3)), sync(client2, joined2.memberId(), joined2.generation())
            .assignment());
    }

    @Test
    void shouldFenceCommitsByMemberGenerationAndAssignment()
    {
        assertEquals(ErrorCode.NONE, coordinator.checkCommit("g", "", -1, "orders", 0), "no members: anyone");
        final String m1 = joinAlone(client1, RANGE);
        sync(client1, m1, 1);
        join(client2, "", RANGE, Set.of());
        join(client1, m1, RANGE, Set.of());
        answer(client1);
        final Answer joined2 = answer(client2);
        final List<PartitionRef> assigned2 = sync(client2, joined2.memberId(), 2).assignment();
        final List<PartitionRef> assigned1 = sync(client1, m1, 2).assignment();

        assertEquals(ErrorCode.UNKNOWN_MEMBER, coordinator.checkCommit("g", "", -1, "orders", 0), "members: only them");
        assertEquals(ErrorCode.NONE,
            coordinator.checkCommit("g", m1, 2, "orders", assigned1.get(0).partition()));
        assertEquals(ErrorCode.NOT_ASSIGNED,
            coordinator.checkCommit("g", m1, 2, "orders", assigned2.get(0).partition()));
        assertEquals(ErrorCode.ILLEGAL_GENERATION,
            coordinator.checkCommit("g", m1, 1, "orders", assigned1.get(0).partition()));
        assertEquals(ErrorCode.UNKNOWN_MEMBER, coordinator.checkCommit("g", "nobody", 2, "orders", 0));

        // While the next rebalance waits, members still commit what they read in the current generation.
        join(client3, "", RANGE, Set.of());
        assertEquals(ErrorCode.NONE,
            coordinator.checkCommit("g", m1, 2, "orders", assigned1.get(0).partition()));
    }

    @Test
    void shouldHandAPartitionOverOnlyAfterItsOwnerGaveItUpWhenCooperative()
    {
        final String m1 = joinAlone(client1, COOPERATIVE_STICKY);
        final List<PartitionRef> all = sync(client1, m1, 1).assignment();
        assertEquals(4, all.size());

        // m2 joins; m1 keeps reading while it rejoins with what it owns.
        join(client2, "", COOPERATIVE_STICKY, Set.of());
        assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, heartbeat(client1, m1, 1).code());
        join(client1, m1, COOPERATIVE_STICKY, Set.copyOf(all));
        assertEquals(2, answer(client1).generation());
        final Answer joined2 = answer(client2);
        final String m2 = joined2.memberId();
        final List<PartitionRef> kept = sync(client1, m1, 2).assignment();
        assertEquals(2, kept.size(), "m1 keeps half");
        assertEquals(List.of(), sync(client2, m2, 2).assignment(), "m2 gets nothing until m1 has given it up");
        final PartitionRef given = all.stream().filter((p) -> !kept.contains(p)).findFirst().orElseThrow();
        assertEquals(ErrorCode.NONE, coordinator.checkCommit("g", m1, 2, "orders", given.partition()),
            "m1 may still commit what it gives up");

        // Every member synced: the follow-up rebalance starts at once.
        assertEquals(ErrorCode.REBALANCE_IN_PROGRESS, heartbeat(client1, m1, 2).code());
        join(client1, m1, COOPERATIVE_STICKY, Set.copyOf(kept));
        join(client2, m2, COOPERATIVE_STICKY, Set.of());
        answer(client1);
        answer(client2);
        assertEquals(kept, sync(client1, m1, 3).assignment(), "nothing taken from m1 that it kept");
        final List<PartitionRef> received = sync(client2, m2, 3).assignment();
        assertEquals(2, received.size());
        assertTrue(received.stream().noneMatch(kept::contains));
        assertEquals(GroupState.STABLE, coordinator.describe("g").state());
        assertEquals(ErrorCode.NOT_ASSIGNED, coordinator.checkCommit("g", m1, 3, "orders", given.partition()));
    }

    @Test
    void shouldRefuseAJoinWithAnotherAssignorOrBadTimeoutsOrAnUnknownMemberId()
    {
        joinAlone(client1, RANGE);
        join(client2, "", COOPERATIVE_STICKY, Set.of());
        assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, answer(client2).code());

        coordinator.join(client2, correlationId++, "g", "", RANGE, 10, REBALANCE_MS, Set.of("orders"), Set.of(), nowNs);
        assertEquals(ErrorCode.INVALID_REQUEST, answer(client2).code());
        coordinator.join(client2, correlationId++, "g", "", (short)9, SESSION_MS, REBALANCE_MS, Set.of("orders"),
            Set.of(), nowNs);
        assertEquals(ErrorCode.INVALID_REQUEST, answer(client2).code());
        coordinator.join(client2, correlationId++, "g\0", "", RANGE, SESSION_MS, REBALANCE_MS, Set.of("orders"),
            Set.of(), nowNs);
        assertEquals(ErrorCode.INVALID_GROUP, answer(client2).code());
        join(client2, "made-up", RANGE, Set.of());
        assertEquals(ErrorCode.UNKNOWN_MEMBER, answer(client2).code());
    }

    @Test
    void shouldDescribeMembersAssignmentsAndOffsetsWhenAsked()
    {
        final String m1 = joinAlone(client1, RANGE);
        sync(client1, m1, 1);
        final GroupDescription description = coordinator.describe("g");
        assertEquals("range", description.assignor());
        assertEquals(1, description.generation());
        assertEquals(List.of(p(0), p(1), p(2), p(3)), description.members().get(0).assignment());
        assertEquals(4, description.offsets().size());
        assertEquals(m1, description.offsets().get(0).memberId());
        assertEquals(-1, description.offsets().get(0).committedOffset());
        assertEquals(0, description.offsets().get(0).endOffset());
        assertEquals(1, coordinator.list().size());
        assertEquals(GroupState.STABLE, coordinator.list().get(0).state());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private String joinAlone(final ClientSession session, final short assignor)
    {
        join(session, "", assignor, Set.of());
        final Answer joined = answer(session);
        assertEquals(ErrorCode.NONE, joined.code());
        return joined.memberId();
    }

    private long join(final ClientSession session, final String memberId, final short assignor, final Set<PartitionRef> owned)
    {
        final long id = correlationId++;
        coordinator.join(session, id, "g", memberId, assignor, SESSION_MS, REBALANCE_MS, Set.of("orders"), owned,
            nowNs);
        return id;
    }

    private Answer sync(final ClientSession session, final String memberId, final int generation)
    {
        coordinator.sync(session, correlationId++, "g", memberId, generation, nowNs);
        final Answer answer = answer(session);
        assertEquals(ErrorCode.NONE, answer.code(), answer.toString());
        return answer;
    }

    private Answer heartbeat(final ClientSession session, final String memberId, final int generation)
    {
        coordinator.heartbeat(session, correlationId++, "g", memberId, generation, nowNs);
        return answer(session);
    }

    /** The one answer sent to a session since the last look, removed. */
    private Answer answer(final ClientSession session)
    {
        final List<Answer> found = answers.stream().filter((a) -> a.session() == session).toList();
        assertEquals(1, found.size(), "answers to " + session + ": " + answers);
        answers.remove(found.get(0));
        return found.get(0);
    }

    private void capture(final ClientSession session, final int length)
    {
        final DirectBuffer buffer = proxy.buffer();
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        final int at = MessageHeaderDecoder.ENCODED_LENGTH;
        switch (header.templateId())
        {
            case JoinGroupResponseDecoder.TEMPLATE_ID ->
            {
                final JoinGroupResponseDecoder d = new JoinGroupResponseDecoder()
                    .wrap(buffer, at, header.blockLength(), header.version());
                answers.add(new Answer("join", session, d.correlationId(), d.errorCode(), d.generation(),
                    d.memberId(), List.of()));
            }
            case SyncGroupResponseDecoder.TEMPLATE_ID ->
            {
                final SyncGroupResponseDecoder d = new SyncGroupResponseDecoder()
                    .wrap(buffer, at, header.blockLength(), header.version());
                final List<PartitionRef> assignment = new ArrayList<>();
                for (final SyncGroupResponseDecoder.AssignmentDecoder a : d.assignment())
                {
                    final int partition = a.partition();
                    assignment.add(new PartitionRef(a.topic(), partition));
                }
                answers.add(new Answer("sync", session, d.correlationId(), d.errorCode(), d.generation(), "",
                    List.copyOf(assignment)));
            }
            case GroupResponseDecoder.TEMPLATE_ID ->
            {
                final GroupResponseDecoder d = new GroupResponseDecoder()
                    .wrap(buffer, at, header.blockLength(), header.version());
                answers.add(new Answer("group", session, d.correlationId(), d.errorCode(), d.generation(), "",
                    List.of()));
            }
            default -> throw new AssertionError("unexpected template " + header.templateId());
        }
    }

    private static PartitionRef p(final int partition)
    {
        return new PartitionRef("orders", partition);
    }

    private static ClientSession session(final int id)
    {
        final ClientSession session = new ClientSession(id, id, 0, 0, "client" + id, "test", 0, 0);
        session.state = ClientSession.State.CONNECTED;
        return session;
    }
}

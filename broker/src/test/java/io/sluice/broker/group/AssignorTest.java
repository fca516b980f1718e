package io.sluice.broker.group;

import io.sluice.transport.PartitionRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The three partition assignors: Kafka's documented examples, the rules every assignment keeps (checked on a few
 * hundred random groups), and the sticky assignor's balance and stickiness.
 */
class AssignorTest
{
    private static final long SEED = 0x5171CEL;
    private static final int RANDOM_CASES = 300;
    private static final String MISSING_TOPIC = "missing";

    @ParameterizedTest
    @ValueSource(strings = { RangeAssignor.NAME, RoundRobinAssignor.NAME, CooperativeStickyAssignor.NAME })
    void shouldFindAssignorWhenNameIsKnown(final String name)
    {
        final Assignor assignor = Assignor.forName(name);

        assertNotNull(assignor);
        assertEquals(name, assignor.name());
        assertEquals(CooperativeStickyAssignor.NAME.equals(name), assignor.cooperative());
    }

    @Test
    void shouldReturnNullWhenNameIsUnknown()
    {
        assertNull(Assignor.forName("sticky"));
        assertNull(Assignor.forName(""));
        assertNull(Assignor.forName(null));
    }

    @ParameterizedTest
    @ValueSource(strings = { RangeAssignor.NAME, RoundRobinAssignor.NAME, CooperativeStickyAssignor.NAME })
    void shouldRejectMembersWhenNoneOrTwoShareAnId(final String name)
    {
        final Assignor assignor = Assignor.forName(name);
        final Map<String, Integer> counts = Map.of("t0", 1);

        assertThrows(IllegalArgumentException.class, () -> assignor.assign(List.of(), counts));
        assertThrows(
            IllegalArgumentException.class,
            () -> assignor.assign(List.of(member("C0", "t0"), member("C0", "t0")), counts));
    }

    @Test
    void shouldAssignContiguousRangesWhenKafkaDocumentedExample()
    {
        final Map<String, List<PartitionRef>> assignment = new RangeAssignor().assign(
            List.of(member("C1", "t0", "t1"), member("C0", "t0", "t1")), Map.of("t0", 3, "t1", 3));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)),
                "C1", List.of(tp("t0", 2), tp("t1", 2))),
            assignment);
    }

    @Test
    void shouldGiveFirstMembersOneMoreWhenPartitionsDoNotDivideEvenly()
    {
        final Map<String, List<PartitionRef>> assignment = new RangeAssignor().assign(
            List.of(member("C2", "t0"), member("C0", "t0"), member("C1", "t0")), Map.of("t0", 7));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t0", 1), tp("t0", 2)),
                "C1", List.of(tp("t0", 3), tp("t0", 4)),
                "C2", List.of(tp("t0", 5), tp("t0", 6))),
            assignment);
    }

    @Test
    void shouldSplitEachTopicOverItsOwnSubscribersWhenRangeSubscriptionsDiffer()
    {
        final Map<String, List<PartitionRef>> assignment = new RangeAssignor().assign(
            List.of(member("C0", "t0"), member("C1", "t0", "t1")), Map.of("t0", 4, "t1", 2));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t0", 1)),
                "C1", List.of(tp("t0", 2), tp("t0", 3), tp("t1", 0), tp("t1", 1))),
            assignment);
    }

    @Test
    void shouldDealPartitionsInTurnWhenKafkaDocumentedExample()
    {
        final Map<String, List<PartitionRef>> assignment = new RoundRobinAssignor().assign(
            List.of(member("C1", "t0", "t1"), member("C0", "t0", "t1")), Map.of("t0", 3, "t1", 3));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t0", 2), tp("t1", 1)),
                "C1", List.of(tp("t0", 1), tp("t1", 0), tp("t1", 2))),
            assignment);
    }

    @Test
    void shouldSkipMemberWhenItDoesNotSubscribeToPartitionsTopic()
    {
        // Kafka's documented example for round robin with different subscriptions.
        final Map<String, List<PartitionRef>> assignment = new RoundRobinAssignor().assign(
            List.of(member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")),
            Map.of("t0", 1, "t1", 2, "t2", 3));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0)),
                "C1", List.of(tp("t1", 0)),
                "C2", List.of(tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2))),
            assignment);
    }

    @Test
    void shouldAssignAndKeepLikeKafkaWhenStickyDocumentedExampleMemberLeaves()
    {
        // Kafka's documented sticky example: three members, four topics of two partitions, then C1 leaves.
        final CooperativeStickyAssignor assignor = new CooperativeStickyAssignor();
        final Map<String, Integer> counts = Map.of("t0", 2, "t1", 2, "t2", 2, "t3", 2);
        final String[] topics = { "t0", "t1", "t2", "t3" };

        final Map<String, List<PartitionRef>> first = assignor.assign(
            List.of(member("C0", topics), member("C1", topics), member("C2", topics)), counts);

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t1", 1), tp("t3", 0)),
                "C1", List.of(tp("t0", 1), tp("t2", 0), tp("t3", 1)),
                "C2", List.of(tp("t1", 0), tp("t2", 1))),
            first);

        final Map<String, List<PartitionRef>> second = assignor.assign(
            List.of(owning("C0", Set.of(topics), first.get("C0")), owning("C2", Set.of(topics), first.get("C2"))),
            counts);

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t1", 1), tp("t2", 0), tp("t3", 0)),
                "C2", List.of(tp("t0", 1), tp("t1", 0), tp("t2", 1), tp("t3", 1))),
            second);
    }

    @Test
    void shouldBalanceAsSubscriptionsAllowWhenStickyDocumentedExampleSubscriptionsDiffer()
    {
        // Kafka's documented sticky example with different subscriptions, then C0 leaves.
        final CooperativeStickyAssignor assignor = new CooperativeStickyAssignor();
        final Map<String, Integer> counts = Map.of("t0", 1, "t1", 2, "t2", 3);

        final Map<String, List<PartitionRef>> first = assignor.assign(
            List.of(member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")), counts);

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0)),
                "C1", List.of(tp("t1", 0), tp("t1", 1)),
                "C2", List.of(tp("t2", 0), tp("t2", 1), tp("t2", 2))),
            first);

        final Map<String, List<PartitionRef>> second = assignor.assign(
            List.of(
                owning("C1", Set.of("t0", "t1"), first.get("C1")),
                owning("C2", Set.of("t0", "t1", "t2"), first.get("C2"))),
            counts);

        assertEquals(
            Map.of(
                "C1", List.of(tp("t0", 0), tp("t1", 0), tp("t1", 1)),
                "C2", List.of(tp("t2", 0), tp("t2", 1), tp("t2", 2))),
            second);
    }

    @Test
    void shouldMoveOnlyNewcomersShareWhenMemberJoinsBalancedGroup()
    {
        final Map<String, List<PartitionRef>> assignment = new CooperativeStickyAssignor().assign(
            List.of(
                owning("C0", Set.of("t0"), range("t0", 0, 4)),
                owning("C1", Set.of("t0"), range("t0", 4, 8)),
                owning("C2", Set.of("t0"), range("t0", 8, 12)),
                member("C3", "t0")),
            Map.of("t0", 12));

        assertEquals(
            Map.of(
                "C0", range("t0", 0, 3),
                "C1", range("t0", 4, 7),
                "C2", range("t0", 8, 11),
                "C3", List.of(tp("t0", 3), tp("t0", 7), tp("t0", 11))),
            assignment);
    }

    @Test
    void shouldMoveOnlyLeaversPartitionsWhenMemberLeaves()
    {
        // C1 of four members owning three partitions each leaves.
        final Map<String, List<PartitionRef>> assignment = new CooperativeStickyAssignor().assign(
            List.of(
                owning("C0", Set.of("t0"), range("t0", 0, 3)),
                owning("C2", Set.of("t0"), range("t0", 6, 9)),
                owning("C3", Set.of("t0"), range("t0", 9, 12))),
            Map.of("t0", 12));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t0", 1), tp("t0", 2), tp("t0", 3)),
                "C2", List.of(tp("t0", 4), tp("t0", 6), tp("t0", 7), tp("t0", 8)),
                "C3", List.of(tp("t0", 5), tp("t0", 9), tp("t0", 10), tp("t0", 11))),
            assignment);
    }

    @Test
    void shouldKeepEveryPartitionWhenOwnedAssignmentIsAlreadyBalanced()
    {
        // Seven partitions over three members: two each, and the one member with three may keep them.
        final List<MemberSubscription> members = List.of(
            owning("C0", Set.of("t0", "t1"), List.of(tp("t0", 0), tp("t1", 3))),
            owning("C1", Set.of("t0", "t1"), List.of(tp("t0", 1), tp("t1", 0))),
            owning("C2", Set.of("t0", "t1"), List.of(tp("t0", 2), tp("t1", 1), tp("t1", 2))));

        final Map<String, List<PartitionRef>> assignment = new CooperativeStickyAssignor().assign(
            members, Map.of("t0", 3, "t1", 4));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t1", 3)),
                "C1", List.of(tp("t0", 1), tp("t1", 0)),
                "C2", List.of(tp("t0", 2), tp("t1", 1), tp("t1", 2))),
            assignment);
    }

    @Test
    void shouldKeepPartitionForSmallerMemberIdWhenTwoMembersClaimIt()
    {
        final Map<String, List<PartitionRef>> assignment = new CooperativeStickyAssignor().assign(
            List.of(
                owning("C1", Set.of("t0"), List.of(tp("t0", 0), tp("t0", 1))),
                owning("C0", Set.of("t0"), List.of(tp("t0", 1), tp("t0", 2)))),
            Map.of("t0", 4));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 1), tp("t0", 2)),
                "C1", List.of(tp("t0", 0), tp("t0", 3))),
            assignment);
    }

    @Test
    void shouldGiveUpHighestExtrasWithLargerMemberIdsFirstWhenMembersOwnMoreThanTheirShare()
    {
        // Seven partitions over three members: two each, and one member may keep a third.
        final Map<String, List<PartitionRef>> assignment = new CooperativeStickyAssignor().assign(
            List.of(
                owning("C0", Set.of("t0"), range("t0", 0, 3)),
                owning("C1", Set.of("t0"), range("t0", 3, 6)),
                owning("C2", Set.of("t0"), range("t0", 6, 7))),
            Map.of("t0", 7));

        assertEquals(
            Map.of(
                "C0", range("t0", 0, 3),
                "C1", range("t0", 3, 5),
                "C2", range("t0", 5, 7)),
            assignment);
    }

    @Test
    void shouldDealFreedPartitionsInOrderToFewestWhenSeveralMembersGiveUpExtras()
    {
        // Eleven partitions over five members: two each, and one may keep a third. C0, C1 and C2 own more: C0 keeps
        // three, C1 and C2 two; the freed t0-3, t0-6, t0-7 and t0-10 each go in order to the member with the fewest,
        // the smaller id on a tie.
        final Map<String, List<PartitionRef>> assignment = new CooperativeStickyAssignor().assign(
            List.of(
                owning("C0", Set.of("t0"), range("t0", 0, 4)),
                owning("C1", Set.of("t0"), range("t0", 4, 8)),
                owning("C2", Set.of("t0"), range("t0", 8, 11)),
                member("C3", "t0"),
                member("C4", "t0")),
            Map.of("t0", 11));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t0", 1), tp("t0", 2)),
                "C1", List.of(tp("t0", 4), tp("t0", 5)),
                "C2", List.of(tp("t0", 8), tp("t0", 9)),
                "C3", List.of(tp("t0", 3), tp("t0", 7)),
                "C4", List.of(tp("t0", 6), tp("t0", 10))),
            assignment);
    }

    @Test
    void shouldDropOwnedPartitionWhenItIsNoLongerValid()
    {
        // C0 owns a partition of a topic it no longer subscribes to, one past the topic's end, and one of a
        // deleted topic; C1 owns nothing. The valid partition t0-0 stays with C0.
        final Map<String, List<PartitionRef>> assignment = new CooperativeStickyAssignor().assign(
            List.of(
                owning("C0", Set.of("t0", MISSING_TOPIC), List.of(
                    tp("t0", 0), tp("t0", 2), tp("t0", -1), tp("t1", 0), tp(MISSING_TOPIC, 0))),
                member("C1", "t0", "t1")),
            Map.of("t0", 2, "t1", 1));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0)),
                "C1", List.of(tp("t0", 1), tp("t1", 0))),
            assignment);
    }

    @ParameterizedTest
    @ValueSource(strings = { RangeAssignor.NAME, RoundRobinAssignor.NAME, CooperativeStickyAssignor.NAME })
    void shouldGiveEmptyListWhenMemberSubscribesToNothingThatExists(final String name)
    {
        final Map<String, List<PartitionRef>> assignment = Assignor.forName(name).assign(
            List.of(
                member("C0", MISSING_TOPIC),
                owning("C1", Set.of(), List.of(tp("t0", 0))),
                member("C2", "t0")),
            Map.of("t0", 2));

        assertEquals(
            Map.of(
                "C0", List.of(),
                "C1", List.of(),
                "C2", List.of(tp("t0", 0), tp("t0", 1))),
            assignment);
    }

    @ParameterizedTest
    @ValueSource(strings = { RangeAssignor.NAME, RoundRobinAssignor.NAME, CooperativeStickyAssignor.NAME })
    void shouldNeverAssignTopicWhenMemberDoesNotSubscribeToIt(final String name)
    {
        // t2 exists but nobody subscribes; C1 claims a partition of a topic it does not subscribe to.
        final Map<String, List<PartitionRef>> assignment = Assignor.forName(name).assign(
            List.of(member("C0", "t0"), owning("C1", Set.of("t1"), List.of(tp("t0", 0), tp("t2", 0)))),
            Map.of("t0", 3, "t1", 1, "t2", 5));

        assertEquals(
            Map.of(
                "C0", List.of(tp("t0", 0), tp("t0", 1), tp("t0", 2)),
                "C1", List.of(tp("t1", 0))),
            assignment);
    }

    @ParameterizedTest
    @ValueSource(strings = { RangeAssignor.NAME, RoundRobinAssignor.NAME, CooperativeStickyAssignor.NAME })
    void shouldGiveSameAssignmentWhenMembersComeInAnyOrder(final String name)
    {
        final Assignor assignor = Assignor.forName(name);
        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_CASES / 5; i++)
        {
            final Group group = randomGroup(random, true, random.nextBoolean());
            final Map<String, List<PartitionRef>> expected = assignor.assign(group.members, group.counts);

            for (int j = 0; j < 3; j++)
            {
                final List<MemberSubscription> shuffled = new ArrayList<>();
                for (final MemberSubscription member : group.members)
                {
                    final List<PartitionRef> owned = new ArrayList<>(member.owned());
                    Collections.shuffle(owned, random);
                    shuffled.add(owning(member.memberId(), member.topics(), owned));
                }
                Collections.shuffle(shuffled, random);

                final Map<String, List<PartitionRef>> actual = assignor.assign(
                    shuffled, new TreeMap<>(group.counts));
                assertEquals(expected, actual, group::toString);
                assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "member order");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { RangeAssignor.NAME, RoundRobinAssignor.NAME, CooperativeStickyAssignor.NAME })
    void shouldAssignEveryPartitionOnceToSubscriberWhenGroupIsRandom(final String name)
    {
        final Assignor assignor = Assignor.forName(name);
        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_CASES; i++)
        {
            final Group group = randomGroup(random, true, random.nextInt(4) == 0);
            final Map<String, List<PartitionRef>> assignment = assignor.assign(group.members, group.counts);

            assertValid(group, assignment);
            if (assignor.cooperative())
            {
                assertNoImprovingMove(group, assignment);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { RoundRobinAssignor.NAME, CooperativeStickyAssignor.NAME })
    void shouldBalanceWhenSubscriptionsAreEqual(final String name)
    {
        final Assignor assignor = Assignor.forName(name);
        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_CASES; i++)
        {
            final Group group = randomGroup(random, true, true);
            final Map<String, List<PartitionRef>> assignment = assignor.assign(group.members, group.counts);

            assertValid(group, assignment);
            assertBalanced(assignment, () -> group + " -> " + assignment);
        }
    }

    @Test
    void shouldKeepAtLeastShareOfValidOwnedPartitionsWhenSubscriptionsAreEqual()
    {
        final Assignor assignor = new CooperativeStickyAssignor();
        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_CASES; i++)
        {
            final Group group = randomGroup(random, true, true);
            final Map<String, List<PartitionRef>> assignment = assignor.assign(group.members, group.counts);
            final int share = expectedPartitions(group).size() / group.members.size();

            // Claims settle in member id order: the first valid claim of a partition wins.
            final List<MemberSubscription> sorted = new ArrayList<>(group.members);
            sorted.sort((a, b) -> a.memberId().compareTo(b.memberId()));
            final Set<PartitionRef> claimed = new HashSet<>();
            for (final MemberSubscription member : sorted)
            {
                final Set<PartitionRef> kept = new HashSet<>();
                for (final PartitionRef partition : member.owned())
                {
                    if (isValid(group, member, partition) && claimed.add(partition))
                    {
                        kept.add(partition);
                    }
                }

                final int keptBefore = kept.size();
                kept.retainAll(assignment.get(member.memberId()));
                assertTrue(kept.size() >= Math.min(keptBefore, share), () -> group + " -> " + assignment);
            }
        }
    }

    @Test
    void shouldMoveOnlyWhatJoinsAndLeavesNeedWhenGroupIsRandomAndBalanced()
    {
        final Assignor assignor = new CooperativeStickyAssignor();
        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_CASES; i++)
        {
            final Group group = randomGroup(random, false, true);
            final Set<String> topics = group.members.get(0).topics();
            final Map<String, List<PartitionRef>> balanced = assignor.assign(group.members, group.counts);

            // A member joins: only the old members lose partitions, and only the newcomer gains.
            final List<MemberSubscription> joined = owningAll(balanced, topics);
            final String newcomer = "joiner-" + random.nextInt(100);
            joined.add(member(newcomer, topics.toArray(new String[0])));
            final Map<String, List<PartitionRef>> afterJoin = assignor.assign(joined, group.counts);
            assertValid(new Group(joined, group.counts), afterJoin);
            for (final Map.Entry<String, List<PartitionRef>> entry : balanced.entrySet())
            {
                assertTrue(
                    entry.getValue().containsAll(afterJoin.get(entry.getKey())),
                    () -> "join " + newcomer + " to " + balanced + " -> " + afterJoin);
            }
            assertBalanced(afterJoin, () -> "join " + newcomer + " to " + balanced + " -> " + afterJoin);

            // A member leaves: nobody else loses a partition.
            if (balanced.size() > 1)
            {
                final List<MemberSubscription> left = owningAll(balanced, topics);
                final MemberSubscription leaver = left.remove(random.nextInt(left.size()));
                final Map<String, List<PartitionRef>> afterLeave = assignor.assign(left, group.counts);
                assertValid(new Group(left, group.counts), afterLeave);
                for (final MemberSubscription member : left)
                {
                    assertTrue(
                        afterLeave.get(member.memberId()).containsAll(member.owned()),
                        () -> leaver.memberId() + " leaves " + balanced + " -> " + afterLeave);
                }
            }
        }
    }

    private static void assertValid(final Group group, final Map<String, List<PartitionRef>> assignment)
    {
        final Set<String> memberIds = new HashSet<>();
        final Map<String, MemberSubscription> byId = new HashMap<>();
        for (final MemberSubscription member : group.members)
        {
            memberIds.add(member.memberId());
            byId.put(member.memberId(), member);
        }
        assertEquals(memberIds, assignment.keySet(), "every member present");

        final Set<PartitionRef> assigned = new HashSet<>();
        for (final Map.Entry<String, List<PartitionRef>> entry : assignment.entrySet())
        {
            final MemberSubscription member = byId.get(entry.getKey());
            final List<PartitionRef> partitions = entry.getValue();
            for (int i = 0; i < partitions.size(); i++)
            {
                final PartitionRef partition = partitions.get(i);
                if (i > 0 && partitions.get(i - 1).compareTo(partition) >= 0)
                {
                    fail("not sorted: " + partitions + " for " + group);
                }
                if (!member.topics().contains(partition.topic()))
                {
                    fail(member.memberId() + " does not subscribe to " + partition + " in " + group);
                }
                if (!assigned.add(partition))
                {
                    fail(partition + " assigned twice in " + assignment + " for " + group);
                }
            }
        }

        assertEquals(expectedPartitions(group), assigned, group::toString);
    }

    private static void assertBalanced(
        final Map<String, List<PartitionRef>> assignment, final Supplier<String> message)
    {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (final List<PartitionRef> partitions : assignment.values())
        {
            min = Math.min(min, partitions.size());
            max = Math.max(max, partitions.size());
        }
        assertTrue(max - min <= 1, message);
    }

    private static void assertNoImprovingMove(final Group group, final Map<String, List<PartitionRef>> assignment)
    {
        for (final MemberSubscription from : group.members)
        {
            for (final MemberSubscription to : group.members)
            {
                final List<PartitionRef> fromPartitions = assignment.get(from.memberId());
                if (fromPartitions.size() > assignment.get(to.memberId()).size() + 1)
                {
                    for (final PartitionRef partition : fromPartitions)
                    {
                        assertFalse(
                            to.topics().contains(partition.topic()),
                            () -> partition + " could move from " + from.memberId() + " to " + to.memberId() +
                            " in " + assignment + " for " + group);
                    }
                }
            }
        }
    }

    private static Set<PartitionRef> expectedPartitions(final Group group)
    {
        final Set<PartitionRef> expected = new HashSet<>();
        for (final MemberSubscription member : group.members)
        {
            for (final String topic : member.topics())
            {
                final int count = group.counts.getOrDefault(topic, 0);
                for (int partition = 0; partition < count; partition++)
                {
                    expected.add(tp(topic, partition));
                }
            }
        }

        return expected;
    }

    private static boolean isValid(final Group group, final MemberSubscription member, final PartitionRef partition)
    {
        return member.topics().contains(partition.topic()) && partition.partition() >= 0 &&
            partition.partition() < group.counts.getOrDefault(partition.topic(), 0);
    }

    /**
     * A random group: 1 to 6 members, 1 to 4 topics of 1 to 12 partitions; each member subscribes to a random set
     * of them, sometimes to a topic that does not exist, and may own random partitions, valid or not.
     */
    private static Group randomGroup(final Random random, final boolean withOwned, final boolean sameTopics)
    {
        final Map<String, Integer> counts = new HashMap<>();
        final int topicCount = 1 + random.nextInt(4);
        for (int t = 0; t < topicCount; t++)
        {
            counts.put("t" + t, 1 + random.nextInt(12));
        }

        final Set<String> memberIds = new TreeSet<>();
        final int memberCount = 1 + random.nextInt(6);
        while (memberIds.size() < memberCount)
        {
            memberIds.add("m" + random.nextInt(20));
        }

        final Set<String> commonTopics = randomTopics(random, topicCount);
        final List<MemberSubscription> members = new ArrayList<>();
        for (final String memberId : memberIds)
        {
            final Set<String> topics = sameTopics ? commonTopics : randomTopics(random, topicCount);
            final List<PartitionRef> owned = new ArrayList<>();
            if (withOwned)
            {
                for (int t = 0; t <= topicCount; t++)
                {
                    final String topic = t < topicCount ? "t" + t : MISSING_TOPIC;
                    final int count = counts.getOrDefault(topic, 3);
                    for (int partition = 0; partition < count + 2; partition++)
                    {
                        if (random.nextInt(3) == 0)
                        {
                            owned.add(tp(topic, partition));
                        }
                    }
                }
            }
            members.add(owning(memberId, topics, owned));
        }
        Collections.shuffle(members, random);

        return new Group(members, counts);
    }

    private static Set<String> randomTopics(final Random random, final int topicCount)
    {
        final Set<String> topics = new HashSet<>();
        for (int t = 0; t < topicCount; t++)
        {
            if (random.nextInt(5) < 3)
            {
                topics.add("t" + t);
            }
        }
        if (random.nextInt(5) == 0)
        {
            topics.add(MISSING_TOPIC);
        }

        return topics;
    }

    private static List<MemberSubscription> owningAll(
        final Map<String, List<PartitionRef>> assignment, final Set<String> topics)
    {
        final List<MemberSubscription> members = new ArrayList<>();
        for (final Map.Entry<String, List<PartitionRef>> entry : assignment.entrySet())
        {
            members.add(owning(entry.getKey(), topics, entry.getValue()));
        }

        return members;
    }

    private static MemberSubscription member(final String memberId, final String... topics)
    {
        return new MemberSubscription(memberId, Set.of(topics), Set.of());
    }

    private static MemberSubscription owning(
        final String memberId, final Set<String> topics, final List<PartitionRef> owned)
    {
        return new MemberSubscription(memberId, topics, new LinkedHashSet<>(owned));
    }

    private static List<PartitionRef> range(final String topic, final int from, final int to)
    {
        final List<PartitionRef> partitions = new ArrayList<>();
        for (int partition = from; partition < to; partition++)
        {
            partitions.add(tp(topic, partition));
        }

        return partitions;
    }

    private static PartitionRef tp(final String topic, final int partition)
    {
        return new PartitionRef(topic, partition);
    }

    private record Group(List<MemberSubscription> members, Map<String, Integer> counts)
    {
    }
}

package io.aiobridge;

/**
 * What a loop is doing right now, for metrics and health checks: read with {@link
 * EventLoop#stats()} on the loop (a callback or task), e.g. from a probe scheduled with {@code
 * callSoonThreadsafe}, whose delay is itself the loop's lag.
 *
 * @param liveTasks tasks created and not yet done ({@code len(asyncio.all_tasks())})
 * @param ready callbacks and task steps ready to run now (the ready queue's depth)
 * @param timers scheduled timers, cancelled ones included until they are dropped
 * @param slowSteps steps that held the loop longer than the slow-step threshold, counted in
 *     debug mode only (timing every step costs)
 */
public record LoopStats(int liveTasks, int ready, int timers, long slowSteps) {}

package io.aiobridge.examples.webflux;

import io.aiobridge.Aio;
import io.aiobridge.EventLoop;
import io.aiobridge.TaskGroup;
import io.aiobridge.queue.AsyncQueue;
import io.aiobridge.queue.QueueShutDownException;
import io.aiobridge.reactor.ReactorPublish;
import jakarta.annotation.PreDestroy;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code POST /jobs} and {@code GET /jobs/{id}}: a bounded aiobridge queue served by a TaskGroup
 * of worker tasks, all on one event loop of this controller's own. The handlers run on that loop
 * too ({@code ReactorPublish.mono(coro, loop)}), so the queue and the job table are touched by one
 * loop only, as in asyncio, with no locks. A full queue answers 429 at once.
 */
@RestController
public class JobController {
    private static final Logger LOG = LoggerFactory.getLogger(JobController.class);

    /** A job: sum 1..n, taking {@code seconds}. Loop-confined. */
    static final class Job {
        final long id;
        final long n;
        final double seconds;
        String status = "queued";
        Long result;

        Job(long id, long n, double seconds) {
            this.id = id;
            this.n = n;
            this.seconds = seconds;
        }

        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("status", status);
            if (result != null) {
                m.put("result", result);
            }
            return m;
        }
    }

    /** The request body of {@code POST /jobs}. */
    public record JobRequest(long n, double seconds) {}

    private final EventLoop loop = EventLoop.newEventLoop();
    private final Thread loopThread;
    private final AsyncQueue<Job> queue;
    private final Map<Long, Job> jobs = new HashMap<>();
    private long nextId;

    public JobController(@Value("${jobs.workers:2}") int workers,
            @Value("${jobs.queue-capacity:4}") int capacity) {
        queue = new AsyncQueue<>(capacity, loop);
        loopThread = Thread.ofPlatform().name("jobs-loop").daemon().start(loop::runForever);
        Aio.runCoroutineThreadsafe(() -> Aio.createTask(() -> TaskGroup.<Void>run(tg -> {
            for (int i = 0; i < workers; i++) {
                int w = i;
                tg.createTask(() -> work(w), "worker-" + w);
            }
            return null;
        }), "workers"), loop).join();
    }

    private Void work(int worker) {
        while (true) {
            Job job;
            try {
                job = queue.get();
            } catch (QueueShutDownException e) {
                return null; // shutting down
            }
            job.status = "running";
            Aio.sleep(job.seconds);
            job.result = job.n * (job.n + 1) / 2;
            job.status = "done";
            LOG.info("worker {} finished job {}", worker, job.id);
            queue.taskDone();
        }
    }

    @PostMapping("/jobs")
    Mono<ResponseEntity<Map<String, Object>>> submit(@RequestBody JobRequest request) {
        return ReactorPublish.mono(() -> {
            if (request.n() < 0 || request.seconds() < 0 || request.seconds() > 60) {
                return ResponseEntity.badRequest().body(Map.<String, Object>of("error",
                        "n must be >= 0 and seconds between 0 and 60"));
            }
            if (queue.full()) { // backpressure: refuse instead of queueing without bound
                return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).body(
                        Map.<String, Object>of("error", "queue full",
                                "detail", queue.qsize() + " jobs are waiting; retry later"));
            }
            Job job = new Job(++nextId, request.n(), request.seconds());
            jobs.put(job.id, job);
            queue.putNowait(job);
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(job.view());
        }, loop);
    }

    @GetMapping("/jobs/{id}")
    Mono<ResponseEntity<Map<String, Object>>> status(@PathVariable long id) {
        return ReactorPublish.mono(() -> {
            Job job = jobs.get(id);
            return job == null
                    ? ResponseEntity.status(HttpStatus.NOT_FOUND).body(
                            Map.<String, Object>of("error", "no job " + id))
                    : ResponseEntity.ok(job.view());
        }, loop);
    }

    @PreDestroy
    void stop() throws InterruptedException {
        loop.callSoonThreadsafe(() -> queue.shutdown(true)); // workers end, the group exits
        loop.callSoonThreadsafe(loop::stop);
        loopThread.join(5_000);
        loop.close();
    }
}

// srt-fanout: one SRT listener that serves many callers on one port, each caller fed its own byte
// stream by the parent (Streamwell's PlaybackActor, node/ffmpeg/fanout.ts). ffmpeg's SRT
// listener accepts one caller and closes its listening socket, and two processes cannot share the
// UDP port, so the port is held here, by one libsrt instance, for as long as the channel is live
// (docs/decisions.md, "Remote Playback: one listener, many callers").
//
//   srt-fanout BIND_HOST PORT MAX_CALLERS
//
// stdin: frames of [caller id: u32 BE][length: u32 BE][bytes]. The first frame (id 0) is the
//   passphrase, so it is never in argv. A frame of length 0 closes that caller (its feed ended).
// stdout: one event per line: "listening", "connected ID ADDRESS", "refused ADDRESS",
//   "left ID REASON". Errors on stderr. It exits when stdin ends or the listener fails.
// Each caller gets 1316-byte messages (7 TS packets); a caller whose send buffer is full is cut
// off ("left ID too slow") rather than allowed to stall the others. Callers beyond MAX_CALLERS are
// rejected in the handshake (SRT_REJX_OVERLOAD).
//
// libsrt 1.5 has no headers on a runtime system; the few declarations it needs are below, with the
// values of srt.h and access_control.h.
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef int SRTSOCKET;
typedef int srt_listen_callback_fn(void *opaque, SRTSOCKET ns, int hs_version,
                                   const struct sockaddr *peer, const char *stream_id);
int srt_startup(void);
SRTSOCKET srt_create_socket(void);
int srt_setsockflag(SRTSOCKET u, int opt, const void *value, int len);
int srt_bind(SRTSOCKET u, const struct sockaddr *name, int namelen);
int srt_listen(SRTSOCKET u, int backlog);
SRTSOCKET srt_accept(SRTSOCKET u, struct sockaddr *addr, int *addrlen);
int srt_listen_callback(SRTSOCKET u, srt_listen_callback_fn *hook, void *opaque);
int srt_setrejectreason(SRTSOCKET u, int value);
int srt_send(SRTSOCKET u, const char *buf, int len);
int srt_close(SRTSOCKET u);
int srt_getsockstate(SRTSOCKET u);
int srt_getlasterror(int *errno_loc);
const char *srt_getlasterror_str(void);

enum { SRTO_SNDSYN = 1, SRTO_PASSPHRASE = 26 };
enum { SRTS_BROKEN = 6 };
enum { SRT_EASYNCSND = 6001 };
enum { SRT_REJX_OVERLOAD = 1402 };

#define PAYLOAD 1316
#define MAX_SLOTS 64

struct caller {
  uint32_t id; // 0: free slot
  SRTSOCKET sock;
  size_t pending;
  char buf[PAYLOAD];
};

static struct caller callers[MAX_SLOTS];
static int max_callers;
static int connected; // callers in the table; read without the lock by on_handshake (atomic)
static uint32_t next_id = 1;
// `lock` guards the table and is held around srt_send/srt_close; on_handshake (libsrt's receiver
// thread) never takes it, so a libsrt call under it cannot wait on a thread that waits for it.
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
// Only around printing an event line, never around a libsrt call.
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void address_of(const struct sockaddr *peer, char *out, size_t size) {
  char host[NI_MAXHOST], port[NI_MAXSERV];
  socklen_t len = peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  if (getnameinfo(peer, len, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    snprintf(out, size, "unknown");
  } else {
    snprintf(out, size, peer->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
  }
}

/** Prints one event line, whole. */
static void event(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void event(const char *format, ...) {
  va_list args;
  va_start(args, format);
  pthread_mutex_lock(&print_lock);
  vprintf(format, args);
  putchar('\n');
  fflush(stdout);
  pthread_mutex_unlock(&print_lock);
  va_end(args);
}

/** Closes a caller's socket and frees its slot; the lock is held. */
static void drop(struct caller *c, const char *reason) {
  srt_close(c->sock);
  event("left %u %s", c->id, reason);
  c->id = 0;
  __atomic_sub_fetch(&connected, 1, __ATOMIC_SEQ_CST);
}

/** In libsrt's receiver thread, before the handshake completes: refuse callers over the cap. */
static int on_handshake(void *opaque, SRTSOCKET ns, int hs_version, const struct sockaddr *peer,
                        const char *stream_id) {
  (void)opaque;
  (void)hs_version;
  (void)stream_id;
  if (__atomic_load_n(&connected, __ATOMIC_SEQ_CST) < max_callers) return 0;
  char address[NI_MAXHOST + NI_MAXSERV + 4];
  address_of(peer, address, sizeof address);
  event("refused %s", address);
  srt_setrejectreason(ns, SRT_REJX_OVERLOAD);
  return -1;
}

static void *accept_loop(void *arg) {
  SRTSOCKET listener = *(SRTSOCKET *)arg;
  for (;;) {
    struct sockaddr_storage peer;
    int len = sizeof peer;
    SRTSOCKET s = srt_accept(listener, (struct sockaddr *)&peer, &len);
    if (s < 0) {
      fprintf(stderr, "srt-fanout: accept failed: %s\n", srt_getlasterror_str());
      exit(1);
    }
    int no = 0;
    srt_setsockflag(s, SRTO_SNDSYN, &no, sizeof no);
    char address[NI_MAXHOST + NI_MAXSERV + 4];
    address_of((struct sockaddr *)&peer, address, sizeof address);
    pthread_mutex_lock(&lock);
    struct caller *slot = NULL;
    for (int i = 0; i < MAX_SLOTS && slot == NULL; i++) {
      if (callers[i].id == 0) slot = &callers[i];
    }
    if (slot == NULL || connected >= max_callers) { // two handshakes raced past on_handshake
      srt_close(s);
      event("refused %s", address);
    } else {
      slot->id = next_id++;
      slot->sock = s;
      slot->pending = 0;
      __atomic_add_fetch(&connected, 1, __ATOMIC_SEQ_CST);
      event("connected %u %s", slot->id, address);
    }
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

/** Notices callers that left while no data was sent to them (e.g. before the first keyframe). */
static void *watch_loop(void *arg) {
  (void)arg;
  for (;;) {
    usleep(250 * 1000);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_SLOTS; i++) {
      if (callers[i].id != 0 && srt_getsockstate(callers[i].sock) >= SRTS_BROKEN) drop(&callers[i], "disconnected");
    }
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static struct caller *find(uint32_t id) {
  for (int i = 0; i < MAX_SLOTS; i++) {
    if (callers[i].id == id && id != 0) return &callers[i];
  }
  return NULL;
}

/** Queues bytes for a caller and sends every full 1316-byte message; the lock is held. */
static void feed(struct caller *c, const char *bytes, size_t len) {
  while (len > 0 && c->id != 0) {
    size_t take = PAYLOAD - c->pending < len ? PAYLOAD - c->pending : len;
    memcpy(c->buf + c->pending, bytes, take);
    c->pending += take;
    bytes += take;
    len -= take;
    if (c->pending < PAYLOAD) return;
    c->pending = 0;
    if (srt_send(c->sock, c->buf, PAYLOAD) < 0) {
      drop(c, srt_getlasterror(NULL) == SRT_EASYNCSND ? "too slow" : "disconnected");
    }
  }
}

static int read_full(void *buf, size_t len) {
  return len == 0 || fread(buf, 1, len, stdin) == len;
}

static uint32_t be32(const unsigned char *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/** One frame from stdin into `data` (resized as needed); 0 at EOF. */
static int next_frame(uint32_t *id, char **data, size_t *cap, uint32_t *len) {
  unsigned char header[8];
  if (!read_full(header, sizeof header)) return 0;
  *id = be32(header);
  *len = be32(header + 4);
  if (*len > *cap) {
    *cap = *len;
    *data = realloc(*data, *cap);
    if (*data == NULL) {
      fprintf(stderr, "srt-fanout: out of memory\n");
      exit(1);
    }
  }
  return read_full(*data, *len);
}

static SRTSOCKET open_listener(const char *host, const char *port, const char *passphrase) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE};
  struct addrinfo *ai;
  if (getaddrinfo(host, port, &hints, &ai) != 0) {
    fprintf(stderr, "srt-fanout: cannot resolve the bind address\n");
    exit(1);
  }
  SRTSOCKET s = srt_create_socket();
  if (passphrase[0] != '\0') srt_setsockflag(s, SRTO_PASSPHRASE, passphrase, (int)strlen(passphrase));
  if (srt_bind(s, ai->ai_addr, (int)ai->ai_addrlen) < 0) {
    fprintf(stderr, "srt-fanout: bind failed: %s\n", srt_getlasterror_str());
    exit(1);
  }
  freeaddrinfo(ai);
  srt_listen_callback(s, on_handshake, NULL);
  if (srt_listen(s, 16) < 0) {
    fprintf(stderr, "srt-fanout: listen failed: %s\n", srt_getlasterror_str());
    exit(1);
  }
  return s;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: srt-fanout BIND_HOST PORT MAX_CALLERS (passphrase: the first stdin frame)\n");
    return 2;
  }
  max_callers = atoi(argv[3]);
  if (max_callers < 1 || max_callers > MAX_SLOTS) {
    fprintf(stderr, "srt-fanout: MAX_CALLERS must be 1 to %d\n", MAX_SLOTS);
    return 2;
  }
  uint32_t id, len;
  size_t cap = 65536;
  char *data = malloc(cap);
  if (!next_frame(&id, &data, &cap, &len) || id != 0 || len > 79) {
    fprintf(stderr, "srt-fanout: the first frame must be the passphrase\n");
    return 2;
  }
  char passphrase[80];
  memcpy(passphrase, data, len);
  passphrase[len] = '\0';
  srt_startup();
  static SRTSOCKET listener;
  listener = open_listener(argv[1], argv[2], passphrase);
  memset(passphrase, 0, sizeof passphrase);
  pthread_t accepting, watching;
  pthread_create(&accepting, NULL, accept_loop, &listener);
  pthread_create(&watching, NULL, watch_loop, NULL);
  event("listening");
  while (next_frame(&id, &data, &cap, &len)) {
    pthread_mutex_lock(&lock);
    struct caller *c = find(id);
    if (c != NULL && len == 0) drop(c, "feed ended");
    else if (c != NULL) feed(c, data, len);
    pthread_mutex_unlock(&lock);
  }
  return 0;
}

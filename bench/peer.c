/* bench/peer.c: the kernel's hot paths written again in plain C, as a C
 * kernel would write them, for `make bench` to measure side by side with the
 * AssemblyScript originals in the same boot, compiled with the same flags.
 *
 *  - c_alloc / c_free: the slab fast path of kernel/mm/alloc.ts, the same
 *    design: blocks from the slab's first byte, the header at its end, the
 *    page tag (through the mirror and the page descriptor) pointing at the
 *    header plus 1; free refuses a pointer into the record cache, inside a
 *    block, past the last block, or a block whose bit is clear (BTR, as
 *    Linux's __test_and_clear_bit does), with the same list handling.
 *  - c_page_map / c_page_unmap: kernel/arch/x86/paging.ts's pageMap and
 *    pageUnmap over the same page tables, page descriptors and table counts.
 *
 *  - Like the kernel's entry points, c_alloc, c_free, c_page_map,
 *    c_page_unmap and c_page_alloc first refuse to run in interrupt context:
 *    one load of the kernel's own interrupt depth (core/context.ts) and a
 *    branch, as refuseInInterrupt is.
 *
 * The peer works on the kernel's own data: a slab the benchmark gives it,
 * laid out and tagged as alloc.ts lays slabs out, and the kernel's page
 * descriptors and free page stack. Misuse stops it at UD2, which the kernel
 * reports as #UD. Growing a slab is not part of the fast path and not part
 * of the peer.
 *
 * Imported by bench/kernel/bench.ts from the "bench" import module. */
#include "kernel_instance.h"

#define PAGE_SIZE 4096u
#define PTE_PRESENT 1u
#define PTE_WRITABLE 2u
#define PTE_USER 4u
#define PTE_ADDRESS 0xFFFFF000u
#define PTE_RESERVED_MARK 2u             /* paging.ts: a not-present entry kept by pageReserve */
#define MIRROR_INDEX 1023u
#define MIRROR_TABLES ((u32 *)(MIRROR_INDEX << 22))
#define MIRROR_DIRECTORY ((u32 *)((MIRROR_INDEX << 22) + (MIRROR_INDEX << 12)))
#define PAGE_RESERVED 2u
#define PAGE_FREE 4u
#define SLAB_HEADER 104u
#define SLAB_TAG 1u

struct page { u16 refs; u16 flags; u32 link; };                 /* mm/mem.ts PageDescriptor */
struct slab;
struct cache {                                                    /* mm/alloc.ts SlabDesc */
    u32 size, shift, slab_pages, capacity;
    struct slab *partial, *full;
    u32 slabs;
    struct slab *reserve;
    u32 spare;
    u32 pad[7];
};
struct slab {                                                     /* mm/alloc.ts SlabEntry, at the slab's end */
    void *free_el;
    u32 in_use;
    struct slab *next, *prev;
    struct cache *cache;
    u32 base;
    void *area;
    u32 mask;
    u16 shift, capacity;
    u32 pad;
    u32 used[16];
};

static struct page *pages;
static u32 page_count;
static u32 area_base, area_span, identity_end;
static u16 *table_entries;
#define CLASS_COUNT 10
#define SMALL_MAX 4096u
static struct cache caches[CLASS_COUNT + 1];   /* the size classes, then the record cache */

#define die() __builtin_trap()

/* core/context.ts refuseInInterrupt: the depth counted by interruptDispatch. */
#define refuse_in_interrupt() do { if (kernel_instance.w2c_kernel_core_context_depth) die(); } while (0)

static inline void invlpg(u32 addr) { __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory"); }

/* ---- the slab fast path ------------------------------------------------ */

static void list_remove(struct slab **head, struct slab *s)
{
    if (s->prev) s->prev->next = s->next;
    else *head = s->next;
    if (s->next) s->next->prev = s->prev;
}

static void list_push(struct slab **head, struct slab *s)
{
    s->prev = 0;
    s->next = *head;
    if (*head) (*head)->prev = s;
    *head = s;
}

/* The class of a request of 1..SMALL_MAX bytes: 8, 16, ... 4096. */
static inline u32 class_index(u32 size)
{
    return 31 - __builtin_clz((size - 1) | 7) + 1 - 3;
}

static inline int bit_test_and_set(u32 *bits, u32 bit)
{
    unsigned char was;
    __asm__ volatile("btsl %2, %1" : "=@ccc"(was), "+m"(*bits) : "r"(bit) : "memory");
    return was;
}

static inline int bit_test_and_reset(u32 *bits, u32 bit)
{
    unsigned char was;
    __asm__ volatile("btrl %2, %1" : "=@ccc"(was), "+m"(*bits) : "r"(bit) : "memory");
    return was;
}

__attribute__((noinline)) static void list_move(struct cache *c, struct slab *s, int to_full)
{
    list_remove(to_full ? &c->partial : &c->full, s);
    list_push(to_full ? &c->full : &c->partial, s);
}

__attribute__((noinline)) static void slab_emptied(struct cache *c, struct slab *s)
{
    if (c->reserve && c->reserve != s && c->reserve->in_use == 0) die(); /* release: not part of the peer */
    c->reserve = s;
}

__attribute__((noinline)) static void *c_alloc(u32 size)
{
    refuse_in_interrupt();
    if (size - 1 >= SMALL_MAX) return 0; /* 0, and large blocks: not part of the peer */
    struct cache *c = &caches[class_index(size)];
    struct slab *s = c->partial;
    if (!s) return 0;                     /* growing: not part of the peer */
    void *block = s->free_el;
    s->free_el = *(void **)block;
    bit_test_and_set(s->used, ((u32)block - s->base) >> s->shift);
    s->in_use++;
    if (!s->free_el) list_move(c, s, 1);
    return block;
}

__attribute__((noinline)) static void c_free(void *ptr)
{
    refuse_in_interrupt();
    u32 v = (u32)ptr;
    if (!ptr) return;
    if (v - area_base >= area_span) die();
    if (!(MIRROR_DIRECTORY[v >> 22] & PTE_PRESENT)) die();
    u32 pte = MIRROR_TABLES[v >> 12];
    if (!(pte & PTE_PRESENT)) die();
    u32 tag = pages[pte >> 12].link;     /* a mapped page is in use */
    if (!(tag & SLAB_TAG)) die();         /* a large block or nothing: not part of the peer */
    struct slab *s = (struct slab *)(tag - SLAB_TAG);
    if (s->cache == &caches[CLASS_COUNT]) die();
    u32 offset = v - s->base;
    if (offset & s->mask) die();
    u32 index = offset >> s->shift;
    if (index >= s->capacity) die();
    if (!bit_test_and_reset(s->used, index)) die();
    void *head = s->free_el;
    *(void **)ptr = head;
    s->free_el = ptr;
    if (!head) list_move(s->cache, s, 0);
    if (--s->in_use == 0) slab_emptied(s->cache, s);
}

/* ---- pageMap / pageUnmap ------------------------------------------------- */

static int page_in_use(u32 paddr)
{
    u32 frame = paddr >> 12;
    if ((paddr & (PAGE_SIZE - 1)) || frame >= page_count) return 0;
    return !(pages[frame].flags & (PAGE_RESERVED | PAGE_FREE));
}

/* The kernel's free page stack (mm/mem.ts): its head and count are
 * AssemblyScript globals, fields of the module instance. */
static u32 c_page_alloc(void)
{
    refuse_in_interrupt();
    u32 frame = kernel_instance.w2c_kernel_mm_mem_freeHead;
    if (frame == 0xFFFFFFFFu) return 0;
    kernel_instance.w2c_kernel_mm_mem_freeHead = pages[frame].link;
    kernel_instance.w2c_kernel_mm_mem_freePages--;
    pages[frame].flags &= ~PAGE_FREE;
    pages[frame].refs = 1;
    pages[frame].link = 0;
    return frame << 12;
}

/* Drops a reference to a page the caller has checked is in use. */
static inline void c_page_release(u32 paddr)
{
    struct page *p = &pages[paddr >> 12];
    if (--p->refs) return;
    p->flags |= PAGE_FREE;
    p->link = kernel_instance.w2c_kernel_mm_mem_freeHead;
    kernel_instance.w2c_kernel_mm_mem_freeHead = paddr >> 12;
    kernel_instance.w2c_kernel_mm_mem_freePages++;
}

__attribute__((noinline)) static int c_page_map(u32 v, u32 p, u32 flags)
{
    refuse_in_interrupt();
    if ((v | p) & (PAGE_SIZE - 1)) die();
    if ((v >> 22) == MIRROR_INDEX) die();
    if (v < identity_end) die();
    if (!page_in_use(p)) die();
    u32 table = v >> 22;
    u32 *pde = &MIRROR_DIRECTORY[table];
    if (!(*pde & PTE_PRESENT)) {
        u32 t = c_page_alloc();
        if (!t) return 0;
        *pde = t | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
        u32 window = (u32)&MIRROR_TABLES[table << 10];
        invlpg(window);
        __builtin_memset((void *)window, 0, PAGE_SIZE);
        table_entries[table] = 0;
    } else if (MIRROR_TABLES[v >> 12] & (PTE_PRESENT | PTE_RESERVED_MARK)) {
        die();                            /* mapped, or reserved (pageReserve) */
    }
    if (pages[p >> 12].refs == 0xFFFF) die();
    pages[p >> 12].refs++;
    MIRROR_TABLES[v >> 12] = p | (flags & 0xFFF) | PTE_PRESENT;
    table_entries[table]++;
    invlpg(v);
    return 1;
}

__attribute__((noinline)) static u32 c_page_unmap(u32 v)
{
    refuse_in_interrupt();
    if (v & (PAGE_SIZE - 1)) die();
    if ((v >> 22) == MIRROR_INDEX) die();
    if (v < identity_end) die();
    u32 table = v >> 22;
    u32 *pde = &MIRROR_DIRECTORY[table];
    if (!(*pde & PTE_PRESENT)) die();
    u32 entry = MIRROR_TABLES[v >> 12];
    if (!(entry & PTE_PRESENT)) die();
    u32 p = entry & PTE_ADDRESS;
    if (!page_in_use(p)) die();
    MIRROR_TABLES[v >> 12] = 0;
    invlpg(v);
    if (--table_entries[table] == 0) {
        u32 t = *pde & PTE_ADDRESS;
        *pde = 0;
        invlpg((u32)&MIRROR_TABLES[table << 10]);
        c_page_release(t);
    }
    c_page_release(p);
    return p;
}

/* ---- what the benchmark calls -------------------------------------------- */

#define BENCH(ret, name, ...) ret Z_benchZ_##name(struct Z_bench_instance_t *unused, ##__VA_ARGS__)

/* Where the kernel's data is: page descriptors, the area range, table counts. */
BENCH(void, peerInit, u32 descriptors, u32 count, u32 base, u32 top, u32 tables, u32 identity)
{
    identity_end = identity;
    pages = (struct page *)descriptors;
    page_count = count;
    area_base = base;
    area_span = top - base;
    table_entries = (u16 *)tables;
}

/* Turns the backed one-page area at `base` into the one slab of the class
 * of `size`-byte blocks; returns the header, for the caller to tag the page with. */
BENCH(u32, peerSlab, u32 base, u32 size, u32 shift, u32 capacity)
{
    struct cache *c = &caches[class_index(size)];
    struct slab *s = (struct slab *)(base + PAGE_SIZE - SLAB_HEADER);
    *c = (struct cache){ .size = size, .shift = shift, .slab_pages = 1, .capacity = capacity };
    __builtin_memset(s, 0, SLAB_HEADER);
    s->cache = c;
    s->base = base;
    s->mask = size - 1;
    s->shift = shift;
    s->capacity = capacity;
    char *first = (char *)base;
    for (u32 i = 0; i < capacity; i++)
        *(void **)(first + i * size) = i + 1 < capacity ? first + (i + 1) * size : 0;
    s->free_el = first;
    list_push(&c->partial, s);
    c->slabs = 1;
    return (u32)s;
}

/* `n` alloc+free pairs of `size` bytes, one block kept live: guest instructions. */
BENCH(u64, peerSlabPairs, u32 size, u32 n)
{
    void *keep = c_alloc(size);
    u64 start = Z_cpuZ_rdtsc(0);
    for (u32 i = 0; i < n; i++)
        c_free(c_alloc(size));
    u64 end = Z_cpuZ_rdtsc(0);
    c_free(keep);
    return end - start;
}

/* `n` map+unmap pairs of physical page `p` at `v` (whose table exists) with
 * `flags`: guest instructions. The flags are a run-time value, as they are
 * for the kernel's pageMap, which has many callers: the empty asm hides the
 * benchmark's constant from link-time optimisation, which would otherwise
 * fold it into the entry (c_page_map has this one caller). */
BENCH(u64, peerMapUnmapPairs, u32 v, u32 p, u32 flags, u32 n)
{
    __asm__("" : "+r"(flags));
    u64 start = Z_cpuZ_rdtsc(0);
    for (u32 i = 0; i < n; i++) {
        /* The results are handed back, as the kernel's pageMap and pageUnmap
         * hand theirs to callers that use them: the empty asms take them (no
         * instruction), so the compiler cannot drop their computation from
         * functions whose one caller here ignores them. */
        int mapped = c_page_map(v, p, flags);
        __asm__ volatile("" : : "r"(mapped));
        u32 unmapped = c_page_unmap(v);
        __asm__ volatile("" : : "r"(unmapped));
    }
    return Z_cpuZ_rdtsc(0) - start;
}

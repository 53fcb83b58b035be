/* bench/peer.c: the kernel's hot paths written again in plain C, as a C
 * kernel would write them, for `make bench` to measure side by side with the
 * AssemblyScript originals in the same boot, compiled with the same flags.
 *
 *  - c_alloc / c_free: kernel/mm/alloc.ts's alloc and free, the same
 *    design: blocks from the slab's first byte, the header at its end, the
 *    page tag (through the mirror and the frame descriptor) pointing at the
 *    header plus 1; free refuses a pointer into the record cache, inside a
 *    block, past the last block, or a block whose bit is clear (BTR, as
 *    Linux's __test_and_clear_bit does), with the same list handling. A
 *    class with no partial slab grows one; a slab that empties becomes the
 *    class's kept slab unless another empty one already is, and is then given
 *    back (mm/slab.ts EMPTY_SLABS_KEPT). Blocks above a page are areas.
 *    Below the slab layer the peer borrows the kernel's own steps, exported
 *    by bench/kernel/bench.ts: recordAlloc/recordMark/recordUndo for a
 *    slab's area record, areaTake and areaAttach (which tags the slab's
 *    pages with the header plus 1) to grow, areaRelease to give a slab or a
 *    large block back, and areaAlloc for a large block. So both sides pay
 *    the same for pages and differ only in the slab layer.
 *  - c_page_map / c_page_unmap: kernel/mm/pages.ts's pageMap and
 *    pageUnmap over the same page tables and frame descriptors.
 *
 *  - Like the kernel's entry points, c_alloc, c_free, c_page_map,
 *    c_page_unmap and c_page_alloc first refuse to run in interrupt context:
 *    one load of the kernel's own interrupt depth (core/context.ts) and a
 *    branch, as refuseInInterrupt is.
 *
 * The peer works on the kernel's own data: a slab the benchmark gives it,
 * laid out and tagged as mm/slab.ts lays slabs out, and the kernel's page
 * descriptors and free page stack. Misuse stops it at UD2, which the kernel
 * reports as #UD; exhaustion returns 0 and changes nothing.
 *
 * Imported by bench/kernel/bench.ts from the "bench" import module. */
#include "kernel_instance.h"
/* The kernel's records (struct FrameDescriptor, MemArea, SlabDesc,
 * SlabEntry) and constants, as the build took them from the compiled
 * classes (tools/build/layout.mjs). Their links are addresses (u32). */
#include "layout.h"

#define MIRROR_TABLES ((u32 *)(MIRROR_INDEX << 22))
#define MIRROR_DIRECTORY ((u32 *)((MIRROR_INDEX << 22) + (MIRROR_INDEX << 12)))

#define SLAB(address) ((struct SlabEntry *)(address))
#define SLAB_USED(s) ((u32 *)((char *)(s) + SLAB_BITMAP))   /* the block bitmap after the header's fields */

static struct FrameDescriptor *pages;
static u32 page_count;
static u32 area_base, area_span, identity_end;
/* The peer's own count of entries in use per table: the benchmark hands it
 * the kernel's count for the one table it works in (peerTableEntries), and
 * every map is undone by its unmap, so the kernel's own count stays right. */
static u16 own_table_entries[1024];
static u16 *table_entries;
static struct SlabDesc caches[CLASS_COUNT + 1];   /* the size classes, then the record cache */

#define die() __builtin_trap()

/* core/context.ts refuseInInterrupt: the depth counted by interruptDispatch. */
#define refuse_in_interrupt() do { if (kernel_instance.w2c_kernel_core_context_depth) die(); } while (0)

static inline void invlpg(u32 addr) { __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory"); }

/* ---- the slab fast path ------------------------------------------------ */

static void list_remove(u32 *head, struct SlabEntry *s)
{
    if (s->prev) SLAB(s->prev)->next = s->next;
    else *head = s->next;
    if (s->next) SLAB(s->next)->prev = s->prev;
}

static void list_push(u32 *head, struct SlabEntry *s)
{
    s->prev = 0;
    s->next = *head;
    if (*head) SLAB(*head)->prev = (u32)s;
    *head = (u32)s;
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

__attribute__((noinline)) static void list_move(struct SlabDesc *c, struct SlabEntry *s, int to_full)
{
    list_remove(to_full ? &c->partial : &c->full, s);
    list_push(to_full ? &c->full : &c->partial, s);
}

/* ---- below the slab layer: the kernel's own steps ------------------------ */

#define K(name, ...) Z_kernelZ_##name(&kernel_instance, ##__VA_ARGS__)

/* Cuts the backed pages at `start` into a new, empty slab of `c`, on its
 * partial list; returns its header (mm/slab.ts slabSetup). */
static struct SlabEntry *slab_setup(struct SlabDesc *c, u32 start)
{
    struct SlabEntry *s = SLAB(start + c->slabPages * PAGE_SIZE - sizeof(struct SlabEntry));
    __builtin_memset(s, 0, sizeof(struct SlabEntry));
    s->desc = (u32)c;
    s->base = start;
    s->mask = c->size - 1;
    s->shift = c->shift;
    s->capacity = c->capacity;
    for (u32 i = 0; i < c->capacity; i++) {
        u32 block = start + (i << c->shift);
        *(u32 *)block = i + 1 < c->capacity ? block + c->size : 0;
    }
    s->freeEl = start;
    list_push(&c->partial, s);
    c->slabs++;
    c->spare += c->capacity;
    return s;
}

/* Adds a slab to `c`: 0, changing nothing, when memory is exhausted (mm/area.ts slabGrow). */
__attribute__((noinline)) static int grow_slab(struct SlabDesc *c)
{
    u32 mark = K(benchRecordMark);
    u32 record = K(benchRecordAlloc);
    if (!record) return 0;
    u32 start = K(benchAreaTake, c->slabPages);
    if (!start) {
        K(benchRecordUndo, record, mark);
        return 0;
    }
    struct SlabEntry *s = slab_setup(c, start);
    s->area = record;
    K(benchAreaAttach, record, start, c->slabPages, (u32)s);
    return 1;
}

static void slab_release(struct SlabDesc *c, struct SlabEntry *s)
{
    list_remove(&c->partial, s);
    if (c->kept == (u32)s) c->kept = 0;
    c->slabs--;
    c->spare -= c->capacity;
    K(benchAreaRelease, s->area);
}

__attribute__((noinline)) static void slab_emptied(struct SlabDesc *c, struct SlabEntry *s)
{
    u32 kept = c->kept;
    if (kept && kept != (u32)s && SLAB(kept)->inUse == 0) slab_release(c, s);
    else c->kept = (u32)s;
}

/* A block above SMALL_MAX: an area of its own (alloc.ts allocLarge). */
__attribute__((noinline)) static void *alloc_large(u32 size)
{
    u64 pages = ((u64)size + PAGE_SIZE - 1) >> 12;
    return pages > 0xFFFFFFFFu ? 0 : (void *)K(benchAreaAlloc, (u32)pages);
}

/* alloc.ts freeLarge: `tag` is the area's record. */
__attribute__((noinline)) static void free_large(u32 v, u32 tag)
{
    if (!tag) die();
    if (((struct MemArea *)tag)->start != v) die();
    K(benchAreaRelease, tag);
}

/* ---- alloc and free ------------------------------------------------------ */

__attribute__((noinline)) static void *c_alloc(u32 size)
{
    refuse_in_interrupt();
    if (size - 1 >= SMALL_MAX) return size == 0 ? 0 : alloc_large(size);
    struct SlabDesc *c = &caches[class_index(size)];
    struct SlabEntry *s = SLAB(c->partial);
    if (!s) {
        if (!grow_slab(c)) return 0;
        s = SLAB(c->partial);
    }
    u32 block = s->freeEl;
    s->freeEl = *(u32 *)block;
    bit_test_and_set(SLAB_USED(s), (block - s->base) >> s->shift);
    s->inUse++;
    if (!s->freeEl) list_move(c, s, 1);
    return (void *)block;
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
    if (!(tag & SLAB_TAG)) {
        free_large(v, tag);
        return;
    }
    struct SlabEntry *s = SLAB(tag - SLAB_TAG);
    if (s->desc == (u32)&caches[CLASS_COUNT]) die();
    u32 offset = v - s->base;
    if (offset & s->mask) die();
    u32 index = offset >> s->shift;
    if (index >= s->capacity) die();
    if (!bit_test_and_reset(SLAB_USED(s), index)) die();
    u32 head = s->freeEl;
    *(u32 *)ptr = head;
    s->freeEl = v;
    if (!head) list_move((struct SlabDesc *)s->desc, s, 0);
    if (--s->inUse == 0) slab_emptied((struct SlabDesc *)s->desc, s);
}

/* ---- pageMap / pageUnmap ------------------------------------------------- */

static int page_in_use(u32 paddr)
{
    u32 frame = paddr >> 12;
    if ((paddr & (PAGE_SIZE - 1)) || frame >= page_count) return 0;
    return !(pages[frame].flags & (FRAME_RESERVED | FRAME_FREE));
}

/* The kernel's free frame stack (mm/frames.ts): its head and count are
 * AssemblyScript globals, fields of the module instance. */
static u32 c_page_alloc(void)
{
    refuse_in_interrupt();
    u32 frame = kernel_instance.w2c_kernel_mm_frames_freeHead;
    if (frame == 0xFFFFFFFFu) return 0;
    kernel_instance.w2c_kernel_mm_frames_freeHead = pages[frame].link;
    kernel_instance.w2c_kernel_mm_frames_freeFrames--;
    pages[frame].flags &= ~FRAME_FREE;
    pages[frame].refCount = 1;
    pages[frame].link = 0;
    return frame << 12;
}

/* Drops a reference to a page the caller has checked is in use. */
static inline void c_page_release(u32 paddr)
{
    struct FrameDescriptor *p = &pages[paddr >> 12];
    if (--p->refCount) return;
    p->flags |= FRAME_FREE;
    p->link = kernel_instance.w2c_kernel_mm_frames_freeHead;
    kernel_instance.w2c_kernel_mm_frames_freeHead = paddr >> 12;
    kernel_instance.w2c_kernel_mm_frames_freeFrames++;
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
        *pde = t | PDE_GRANTS;
        u32 window = (u32)&MIRROR_TABLES[table << 10];
        invlpg(window);
        __builtin_memset((void *)window, 0, PAGE_SIZE);
        table_entries[table] = 0;
    } else if (MIRROR_TABLES[v >> 12] & (PTE_PRESENT | PTE_PARKED)) {
        die();                            /* mapped, or parked (pagePark) */
    }
    if (pages[p >> 12].refCount == 0xFFFF) die();
    pages[p >> 12].refCount++;
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

/* Where the kernel's data is: frame descriptors, the area range, the identity map's end. */
BENCH(void, peerInit, u32 descriptors, u32 count, u32 base, u32 top, u32 identity)
{
    identity_end = identity;
    pages = (struct FrameDescriptor *)descriptors;
    page_count = count;
    area_base = base;
    area_span = top - base;
    table_entries = own_table_entries;
}

/* The kernel's count of entries in use in page table `table`, before the
 * peer maps and unmaps there. */
BENCH(void, peerTableEntries, u32 table, u32 entries)
{
    table_entries[table] = entries;
}

/* Turns the backed one-page area at `base` into the one slab of the class
 * of `size`-byte blocks; returns the header, for the caller to tag the page with. */
BENCH(u32, peerSlab, u32 base, u32 size, u32 shift, u32 capacity)
{
    struct SlabDesc *c = &caches[class_index(size)];
    struct SlabEntry *s = SLAB(base + PAGE_SIZE - sizeof(struct SlabEntry));
    *c = (struct SlabDesc){ .size = size, .shift = shift, .slabPages = 1, .capacity = capacity };
    __builtin_memset(s, 0, sizeof(struct SlabEntry));
    s->desc = (u32)c;
    s->base = base;
    s->mask = size - 1;
    s->shift = shift;
    s->capacity = capacity;
    char *first = (char *)base;
    for (u32 i = 0; i < capacity; i++)
        *(void **)(first + i * size) = i + 1 < capacity ? first + (i + 1) * size : 0;
    s->freeEl = (u32)first;
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

/* Class `index` with the kernel's geometry (mm/slab.ts descInit), no slabs yet. */
BENCH(void, peerClass, u32 index, u32 size, u32 shift, u32 slab_pages, u32 capacity)
{
    caches[index] = (struct SlabDesc){ .size = size, .shift = shift, .slabPages = slab_pages, .capacity = capacity };
}

/* The mixed trace (bench.ts mixedTrace) on c_alloc/c_free, the same loop
 * as the kernel's: guest instructions. The blocks still live afterwards are
 * freed, and `table` (`slots` words, zero) is left zero. */
BENCH(u64, peerMixed, u32 trace, u32 table, u32 ops, u32 slots)
{
    u64 start = Z_cpuZ_rdtsc(0);
    for (u32 i = 0; i < ops; i++) {
        u32 op = ((u32 *)trace)[i];
        void **slot = (void **)table + (op >> 16);
        void *block = *slot;
        if (block) {
            c_free(block);
            *slot = 0;
        } else {
            *slot = c_alloc(op & 0xFFFF);
        }
    }
    u64 spent = Z_cpuZ_rdtsc(0) - start;
    for (u32 i = 0; i < slots; i++) {
        c_free(((void **)table)[i]);
        ((void **)table)[i] = 0;
    }
    return spent;
}

/* Gives back the classes' kept slabs, the peer's only slabs once every block is free. */
BENCH(void, peerMixedEnd)
{
    for (u32 i = 0; i < CLASS_COUNT; i++) {
        struct SlabDesc *c = &caches[i];
        while (c->partial) {
            if (SLAB(c->partial)->inUse) die();
            slab_release(c, SLAB(c->partial));
        }
        if (c->full) die();
    }
}

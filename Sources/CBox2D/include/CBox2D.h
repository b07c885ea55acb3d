// CBox2D: a thin C API over Box2D 2.4.1 (a C++ library), so Swift needs no C++ interoperability.
// Calls are batched: one call applies every joint's torque and steps a robot through the whole
// frame-skip; one call reads all the state an observation needs. See Sources/Physics for the Swift face.
#ifndef CBOX2D_H
#define CBOX2D_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An opaque world: the Box2D world, its ground, bodies, actuated joints and solver settings.
typedef struct CB2World CB2World;

/// Creates a world with gravity (gx, gy), physics step dt and solver iterations.
CB2World *cb2_world_create(float gx, float gy, float dt, int32_t velocityIterations, int32_t positionIterations);
void cb2_world_destroy(CB2World *world);

/// Adds a flat ground at height 0 from x = -halfWidth to +halfWidth, as a chain of edges of
/// `segment` metres (long single edges lose float precision far from their vertices).
void cb2_add_ground(CB2World *world, float halfWidth, float segment, float friction);

/// Adds a dynamic body with its origin at (x, y) and the given angle; returns its index.
int32_t cb2_add_body(CB2World *world, float x, float y, float angle);

/// Adds a convex polygon fixture (body-local vertices, counter-clockwise, 3...8 of them).
/// `density` is Box2D's areal density (kg/m^2). Bodies with the same negative `group` never collide.
void cb2_add_polygon(CB2World *world, int32_t body, const float *xy, int32_t count,
                     float density, float friction, int16_t group);

/// Adds a circle fixture at body-local (x, y).
void cb2_add_circle(CB2World *world, int32_t body, float x, float y, float radius,
                    float density, float friction, int16_t group);

/// Adds `extra` kg·m^2 to a body's rotational inertia about its centre of mass (joint armature).
void cb2_add_inertia(CB2World *world, int32_t body, float extra);

/// Sets a body's motion: (vx, vy) is the velocity of the body's origin, w its angular velocity.
void cb2_set_velocity(CB2World *world, int32_t body, float vx, float vy, float w);

/// Adds a revolute joint at world point (x, y) between parent and child whose angle in the current
/// pose is `currentAngle` (so Box2D's reference angle is the relative angle minus it); limits and
/// reported angles are then in the morphology's convention. Actuation: the torque
/// gear * action - stiffness * (q - springRef) - damping * qdot goes to the child, its opposite to
/// the parent, before every physics sub-step. Returns the joint's index.
int32_t cb2_add_revolute(CB2World *world, int32_t parent, int32_t child, float x, float y,
                         float lower, float upper, float gear, float stiffness, float damping,
                         float springRef, float currentAngle);

/// Applies the actions (one per joint, in joint order) and takes `frameSkip` physics steps,
/// re-applying torques before each (Box2D clears forces after every step). Returns the
/// x velocity of `trackedBody`'s origin averaged over the sub-steps: its displacement over
/// frameSkip * dt.
float cb2_step(CB2World *world, const float *actions, int32_t frameSkip, int32_t trackedBody);

/// Number of floats per body in `cb2_read_state`'s body block.
#define CB2_BODY_STRIDE 7
/// Reads every body's origin x, y, angle, origin vx, vy, angular velocity and a ground-contact
/// flag (1 when touching the ground, else 0) into `bodies` (CB2_BODY_STRIDE floats each), and
/// every joint's angle and speed into `joints` (2 floats each).
void cb2_read_state(const CB2World *world, float *bodies, float *joints);

/// Counts, for tests and checks.
int32_t cb2_body_count(const CB2World *world);
int32_t cb2_joint_count(const CB2World *world);
/// Total mass of a body (kg) and its rotational inertia about its centre of mass.
float cb2_body_mass(const CB2World *world, int32_t body);
float cb2_body_inertia(const CB2World *world, int32_t body);

#ifdef __cplusplus
}
#endif

#endif

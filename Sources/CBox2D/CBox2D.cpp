// Implementation of the C API declared in include/CBox2D.h over Box2D 2.4.1.
#include "CBox2D.h"

#include <box2d/box2d.h>
#include <vector>

namespace {
/// A joint with the actuation Box2D lacks: motor gear, spring and damper (MuJoCo's hinge joint).
struct Actuated {
    b2RevoluteJoint *joint;
    b2Body *parent;
    b2Body *child;
    float gear, stiffness, damping, springRef;
};
}

struct CB2World {
    b2World world;
    b2Body *ground = nullptr;
    std::vector<b2Body *> bodies;
    std::vector<Actuated> joints;
    float dt;
    int32_t velocityIterations, positionIterations;

    CB2World(float gx, float gy) : world(b2Vec2(gx, gy)) {}
};

extern "C" {

CB2World *cb2_world_create(float gx, float gy, float dt, int32_t velocityIterations, int32_t positionIterations) {
    CB2World *w = new CB2World(gx, gy);
    w->dt = dt;
    w->velocityIterations = velocityIterations;
    w->positionIterations = positionIterations;
    // Sleeping would freeze a resting robot and make stepping depend on history; keep all awake.
    w->world.SetAllowSleeping(false);
    w->bodies.reserve(16);
    w->joints.reserve(16);
    return w;
}

void cb2_world_destroy(CB2World *world) { delete world; }

void cb2_add_ground(CB2World *world, float halfWidth, float segment, float friction) {
    b2BodyDef def;
    def.type = b2_staticBody;
    world->ground = world->world.CreateBody(&def);
    // Chains are one-sided with the normal to the right of the direction of travel, so run from
    // +x to -x to make the normal point up.
    int32_t n = (int32_t)(2 * halfWidth / segment) + 1;
    std::vector<b2Vec2> v((size_t)n);
    for (int32_t i = 0; i < n; ++i) v[(size_t)i] = b2Vec2(halfWidth - segment * (float)i, 0);
    b2ChainShape chain;
    chain.CreateChain(v.data(), n, b2Vec2(halfWidth + segment, 0), b2Vec2(-halfWidth - segment, 0));
    b2FixtureDef fd;
    fd.shape = &chain;
    fd.friction = friction;
    world->ground->CreateFixture(&fd);
}

int32_t cb2_add_body(CB2World *world, float x, float y, float angle) {
    b2BodyDef def;
    def.type = b2_dynamicBody;
    def.position.Set(x, y);
    def.angle = angle;
    world->bodies.push_back(world->world.CreateBody(&def));
    return (int32_t)world->bodies.size() - 1;
}

static void addFixture(CB2World *world, int32_t body, const b2Shape *shape, float density, float friction, int16_t group) {
    b2FixtureDef fd;
    fd.shape = shape;
    fd.density = density;
    fd.friction = friction;
    fd.filter.groupIndex = group;
    world->bodies[(size_t)body]->CreateFixture(&fd);
}

void cb2_add_polygon(CB2World *world, int32_t body, const float *xy, int32_t count,
                     float density, float friction, int16_t group) {
    b2Vec2 v[b2_maxPolygonVertices];
    for (int32_t i = 0; i < count && i < b2_maxPolygonVertices; ++i) v[i].Set(xy[2 * i], xy[2 * i + 1]);
    b2PolygonShape shape;
    shape.Set(v, count < b2_maxPolygonVertices ? count : b2_maxPolygonVertices);
    addFixture(world, body, &shape, density, friction, group);
}

void cb2_add_circle(CB2World *world, int32_t body, float x, float y, float radius,
                    float density, float friction, int16_t group) {
    b2CircleShape shape;
    shape.m_p.Set(x, y);
    shape.m_radius = radius;
    addFixture(world, body, &shape, density, friction, group);
}

void cb2_add_inertia(CB2World *world, int32_t body, float extra) {
    b2Body *b = world->bodies[(size_t)body];
    b2MassData md;
    b->GetMassData(&md);
    // GetMassData reports inertia about the body origin; SetMassData expects the same convention.
    md.I += extra;
    b->SetMassData(&md);
}

void cb2_set_velocity(CB2World *world, int32_t body, float vx, float vy, float w) {
    b2Body *b = world->bodies[(size_t)body];
    // Box2D stores the centre of mass's velocity: v_com = v_origin + w x (com - origin).
    b2Vec2 r = b->GetWorldCenter() - b->GetPosition();
    b->SetLinearVelocity(b2Vec2(vx - w * r.y, vy + w * r.x));
    b->SetAngularVelocity(w);
}

int32_t cb2_add_revolute(CB2World *world, int32_t parent, int32_t child, float x, float y,
                         float lower, float upper, float gear, float stiffness, float damping,
                         float springRef, float currentAngle) {
    b2Body *p = world->bodies[(size_t)parent];
    b2Body *c = world->bodies[(size_t)child];
    b2RevoluteJointDef def;
    def.Initialize(p, c, b2Vec2(x, y));
    def.referenceAngle -= currentAngle;
    def.enableLimit = true;
    def.lowerAngle = lower;
    def.upperAngle = upper;
    def.collideConnected = false;
    auto *j = (b2RevoluteJoint *)world->world.CreateJoint(&def);
    world->joints.push_back(Actuated{j, p, c, gear, stiffness, damping, springRef});
    return (int32_t)world->joints.size() - 1;
}

/// Velocity of a body's origin (not its centre of mass): MuJoCo's root velocities are those of
/// the torso frame, and so are ours.
static b2Vec2 originVelocity(const b2Body *b) {
    return b->GetLinearVelocityFromWorldPoint(b->GetPosition());
}

float cb2_step(CB2World *world, const float *actions, int32_t frameSkip, int32_t trackedBody) {
    const size_t n = world->joints.size();
    const b2Body *tracked = trackedBody >= 0 ? world->bodies[(size_t)trackedBody] : nullptr;
    const float x0 = tracked ? tracked->GetPosition().x : 0;
    for (int32_t s = 0; s < frameSkip; ++s) {
        for (size_t i = 0; i < n; ++i) {
            const Actuated &a = world->joints[i];
            float q = a.joint->GetJointAngle();
            float qd = a.joint->GetJointSpeed();
            float tau = a.gear * actions[i] - a.stiffness * (q - a.springRef) - a.damping * qd;
            a.child->ApplyTorque(tau, false);
            a.parent->ApplyTorque(-tau, false);
        }
        world->world.Step(world->dt, world->velocityIterations, world->positionIterations);
    }
    // The average velocity over the frame-skip is the displacement over its duration (as
    // Gymnasium's and pytorch-maml-rl's (x_after - x_before) / dt); unlike a mean of sampled
    // velocities it includes Box2D's position corrections, so rewards match actual progress.
    if (!tracked || frameSkip <= 0) return 0;
    return (tracked->GetPosition().x - x0) / (world->dt * (float)frameSkip);
}

void cb2_read_state(const CB2World *world, float *bodies, float *joints) {
    for (size_t i = 0; i < world->bodies.size(); ++i) {
        const b2Body *b = world->bodies[i];
        float *o = bodies + CB2_BODY_STRIDE * i;
        b2Vec2 p = b->GetPosition();
        b2Vec2 v = originVelocity(b);
        float touching = 0;
        for (const b2ContactEdge *e = b->GetContactList(); e; e = e->next) {
            if (e->other == world->ground && e->contact->IsTouching()) { touching = 1; break; }
        }
        o[0] = p.x; o[1] = p.y; o[2] = b->GetAngle();
        o[3] = v.x; o[4] = v.y; o[5] = b->GetAngularVelocity(); o[6] = touching;
    }
    for (size_t i = 0; i < world->joints.size(); ++i) {
        joints[2 * i] = world->joints[i].joint->GetJointAngle();
        joints[2 * i + 1] = world->joints[i].joint->GetJointSpeed();
    }
}

int32_t cb2_body_count(const CB2World *world) { return (int32_t)world->bodies.size(); }
int32_t cb2_joint_count(const CB2World *world) { return (int32_t)world->joints.size(); }
float cb2_body_mass(const CB2World *world, int32_t body) { return world->bodies[(size_t)body]->GetMass(); }
float cb2_body_inertia(const CB2World *world, int32_t body) {
    const b2Body *b = world->bodies[(size_t)body];
    // GetInertia is about the origin; report it about the centre of mass.
    b2Vec2 c = b->GetLocalCenter();
    return b->GetInertia() - b->GetMass() * b2Dot(c, c);
}

}
